import { notifyInvalidation } from './listener.js';
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ApiToken, Project, ProjectKey } from '../types.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'project';
}

export function newPublicKey(slug: string): string {
  return `pk_${slug.replace(/-/g, '_')}_${randomBytes(12).toString('hex')}`;
}

/** Projects, their ingest keys and API tokens: small, rarely written tables. */
export class AdminQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async createProject(input: { name: string; slug?: string }): Promise<Project> {
    const base = slugify(input.slug ?? input.name);
    return this.db.transaction().execute(async (tx) => {
      // Processes creating projects at once would pick the same free slug: one at a time.
      await sql`LOCK TABLE projects IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
      let slug = base;
      for (let n = 2; await tx.selectFrom('projects').select('id').where('slug', '=', slug).executeTakeFirst(); n++) {
        slug = `${base}-${n}`;
      }
      const now = Date.now();
      const { id } = await tx.insertInto('projects').values({ slug, name: input.name, created_at: now }).returning('id').executeTakeFirstOrThrow();
      const publicKey = newPublicKey(slug);
      await tx.insertInto('project_keys').values({ public_key: publicKey, project_id: id, label: 'Default', created_at: now }).execute();
      return { id, slug, name: input.name, publicKey, createdAt: iso(now) };
    });
  }

  private projectsQuery() {
    return this.db
      .selectFrom('projects as p')
      .select(['p.id', 'p.slug', 'p.name', 'p.created_at'])
      .select((eb) =>
        eb
          .selectFrom('project_keys as k')
          .select('k.public_key')
          .whereRef('k.project_id', '=', 'p.id')
          .where('k.is_active', '=', true)
          .orderBy('k.created_at')
          .orderBy('k.public_key')
          .limit(1)
          .as('public_key'),
      )
      .where('p.deleted_at', 'is', null);
  }

  async listProjects(): Promise<Project[]> {
    const rows = await this.projectsQuery().orderBy('p.id').execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, publicKey: r.public_key ?? '', createdAt: iso(r.created_at) }));
  }

  async getProject(id: number): Promise<Project | undefined> {
    if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1 || id < 0) return undefined;
    const r = await this.projectsQuery().where('p.id', '=', id).executeTakeFirst();
    return r && { id: r.id, slug: r.slug, name: r.name, publicKey: r.public_key ?? '', createdAt: iso(r.created_at) };
  }

  async listProjectKeys(projectId: number): Promise<ProjectKey[]> {
    const rows = await this.db
      .selectFrom('project_keys')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('is_active', '=', true)
      .orderBy('created_at')
      .orderBy('public_key')
      .execute();
    return rows.map((r) => ({ projectId: r.project_id, publicKey: r.public_key, label: r.label, createdAt: iso(r.created_at) }));
  }

  async createProjectKey(projectId: number, label: string): Promise<ProjectKey> {
    const project = await this.db.selectFrom('projects').select('slug').where('id', '=', projectId).executeTakeFirstOrThrow();
    const now = Date.now();
    const publicKey = newPublicKey(project.slug);
    await this.db.insertInto('project_keys').values({ public_key: publicKey, project_id: projectId, label, created_at: now }).execute();
    return { projectId, publicKey, label, createdAt: iso(now) };
  }

  /** Deactivates a key; the project's last active key stays (create its replacement first). */
  async revokeProjectKey(projectId: number, publicKey: string): Promise<'revoked' | 'not_found' | 'last_key'> {
    return this.db.transaction().execute(async (tx) => {
      // FOR UPDATE: two processes revoking the project's last two keys at once must not both succeed.
      const active = await tx
        .selectFrom('project_keys')
        .select('public_key')
        .where('project_id', '=', projectId)
        .where('is_active', '=', true)
        .forUpdate()
        .execute();
      if (!active.some((k) => k.public_key === publicKey)) return 'not_found';
      if (active.length === 1) return 'last_key';
      await tx.updateTable('project_keys').set({ is_active: false }).where('public_key', '=', publicKey).execute();
      // Every process's key cache drops it when this commits (listener.ts).
      await notifyInvalidation(tx, { kind: 'project_key', publicKey });
      return 'revoked';
    });
  }

  async findProjectByKey(publicKey: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('project_keys')
      .select('project_id')
      .where('public_key', '=', publicKey)
      .where('is_active', '=', true)
      .executeTakeFirst();
    return row?.project_id;
  }

  async createToken(input: { name: string; projectId?: number | null }): Promise<{ token: string; id: number }> {
    const token = `pft_${randomBytes(24).toString('base64url')}`;
    const { id } = await this.db
      .insertInto('api_tokens')
      .values({ name: input.name, token_hash: hashToken(token), project_id: input.projectId ?? null, created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { token, id };
  }

  async listTokens(): Promise<Array<ApiToken & { createdAt: string }>> {
    const rows = await this.db.selectFrom('api_tokens').select(['id', 'name', 'project_id', 'created_at']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, projectId: r.project_id, createdAt: iso(r.created_at) }));
  }

  /** Deletes the token: the next request that presents it is refused (tokens are not cached). */
  async revokeToken(id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1 || id < 0) return false;
    const result = await this.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async verifyToken(token: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'project_id'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, projectId: row.project_id };
  }
}
