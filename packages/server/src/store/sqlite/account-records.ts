import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  AccountStore,
  AuditEntry,
  NewAuditEntry,
  NewOneTimeLink,
  OneTimeLink,
  OneTimePurpose,
  ProjectChanges,
  ProjectSettings,
  Role,
} from '../account-types.js';
import { immediate } from './account-queries.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toLink(row: Selectable<Tables['one_time_links']>): OneTimeLink {
  return {
    id: row.id,
    purpose: row.purpose as OneTimePurpose,
    email: row.email,
    role: row.role as Role | null,
    projectIds: parseJson<number[]>(row.project_ids, []),
    userId: row.user_id,
    data: parseJson<Record<string, string>>(row.data, {}),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
  };
}

type RecordMethods =
  | 'createOneTimeLink'
  | 'consumeOneTimeLink'
  | 'peekOneTimeLink'
  | 'listOneTimeLinks'
  | 'deleteOneTimeLink'
  | 'deleteOneTimeLinks'
  | 'appendAudit'
  | 'listAudit'
  | 'getProjectSettings'
  | 'updateProject'
  | 'deleteProject'
  | 'renameProjectKey';

/** One-time links, the audit log and project settings (SQLite). */
export class AccountRecords implements Pick<AccountStore, RecordMethods> {
  constructor(private readonly db: Kysely<Tables>) {}

  async createOneTimeLink(input: NewOneTimeLink): Promise<OneTimeLink> {
    const row = await this.db
      .insertInto('one_time_links')
      .values({
        token_hash: input.tokenHash,
        purpose: input.purpose,
        email: input.email ?? null,
        role: input.role ?? null,
        project_ids: JSON.stringify(input.projectIds ?? []),
        user_id: input.userId ?? null,
        data: JSON.stringify(input.data ?? {}),
        created_by: input.createdBy ?? null,
        created_at: Date.now(),
        expires_at: input.expiresAt,
        used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toLink(row);
  }

  async peekOneTimeLink(tokenHash: string, purpose: OneTimePurpose, now: number): Promise<OneTimeLink | undefined> {
    const row = await this.db
      .selectFrom('one_time_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toLink(row);
  }

  async consumeOneTimeLink(tokenHash: string, purpose: OneTimePurpose, now: number): Promise<OneTimeLink | undefined> {
    // One UPDATE decides who uses the link: of two concurrent requests, only one changes the row.
    const row = await this.db
      .updateTable('one_time_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row && toLink(row);
  }

  async listOneTimeLinks(purpose: OneTimePurpose, now: number): Promise<OneTimeLink[]> {
    const rows = await this.db
      .selectFrom('one_time_links')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('id')
      .execute();
    return rows.map(toLink);
  }

  async deleteOneTimeLink(id: number, purpose: OneTimePurpose): Promise<boolean> {
    const result = await this.db.deleteFrom('one_time_links').where('id', '=', id).where('purpose', '=', purpose).where('used_at', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteOneTimeLinks(purpose: OneTimePurpose): Promise<void> {
    await this.db.deleteFrom('one_time_links').where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  }

  async appendAudit(entry: NewAuditEntry, now: number): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: now,
        action: entry.action,
        actor_user_id: entry.actorUserId,
        actor: entry.actor,
        target: entry.target,
        ip: entry.ip,
        details: JSON.stringify(entry.details ?? {}),
      })
      .execute();
  }

  async listAudit(limit: number, before?: number): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      at: iso(r.at),
      action: r.action,
      actorUserId: r.actor_user_id,
      actor: r.actor,
      target: r.target,
      ip: r.ip,
      details: parseJson<Record<string, unknown>>(r.details, {}),
    }));
  }

  async getProjectSettings(projectId: number): Promise<ProjectSettings> {
    const row = await this.db
      .selectFrom('projects')
      .select(['description', 'platform', 'repo_url', 'repo_branch'])
      .where('id', '=', projectId)
      .executeTakeFirst();
    return {
      description: row?.description ?? '',
      platform: row?.platform ?? null,
      repository: row?.repo_url ? { url: row.repo_url, defaultBranch: row.repo_branch ?? 'main' } : null,
    };
  }

  async updateProject(projectId: number, changes: ProjectChanges): Promise<'updated' | 'not_found' | 'slug_taken'> {
    return immediate(this.db, async (tx) => {
      const project = await tx.selectFrom('projects').select('id').where('id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!project) return 'not_found';
      if (changes.slug !== undefined) {
        const other = await tx.selectFrom('projects').select('id').where('slug', '=', changes.slug).where('id', '!=', projectId).executeTakeFirst();
        if (other) return 'slug_taken';
      }
      const set: { name?: string; slug?: string; description?: string; platform?: string | null; repo_url?: string | null; repo_branch?: string | null } = {};
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.slug !== undefined) set.slug = changes.slug;
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.platform !== undefined) set.platform = changes.platform;
      if (changes.repository !== undefined) {
        set.repo_url = changes.repository?.url ?? null;
        set.repo_branch = changes.repository?.defaultBranch ?? null;
      }
      if (Object.keys(set).length > 0) await tx.updateTable('projects').set(set).where('id', '=', projectId).execute();
      return 'updated';
    });
  }

  async deleteProject(projectId: number): Promise<string[] | undefined> {
    return immediate(this.db, async (tx) => {
      const project = await tx.selectFrom('projects').select('slug').where('id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!project) return undefined;
      const keys = await tx.selectFrom('project_keys').select('public_key').where('project_id', '=', projectId).where('is_active', '=', 1).execute();
      const now = Date.now();
      // The slug is freed for a new project; the old one stays readable in the audit log.
      await tx
        .updateTable('projects')
        .set({ deleted_at: now, slug: `${project.slug}~deleted-${projectId}` })
        .where('id', '=', projectId)
        .execute();
      await tx.updateTable('project_keys').set({ is_active: 0 }).where('project_id', '=', projectId).execute();
      await tx.deleteFrom('project_members').where('project_id', '=', projectId).execute();
      await tx.deleteFrom('api_tokens').where('project_id', '=', projectId).execute();
      // Its shared rate-limit buckets (store/ingest-policy-types.ts) would otherwise stay for good.
      await sql`DELETE FROM rate_limit_buckets WHERE scope = ${`p:${projectId}`}
        OR scope IN (SELECT 'k:' || public_key FROM project_keys WHERE project_id = ${projectId})`.execute(tx);
      return keys.map((k) => k.public_key);
    });
  }

  async renameProjectKey(projectId: number, publicKey: string, label: string): Promise<boolean> {
    const result = await this.db
      .updateTable('project_keys')
      .set({ label })
      .where('project_id', '=', projectId)
      .where('public_key', '=', publicKey)
      .where('is_active', '=', 1)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
