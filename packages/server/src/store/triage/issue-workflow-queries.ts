import type { Kysely } from 'kysely';
import type { ActivityEntry, ActivityInput, ActivityKind, Assignee } from '../issue-workflow-types.js';
import type { IssueActivityTable } from './tables.js';

/** The columns these queries touch, the same in SQLite and PostgreSQL (epoch ms and ids as numbers). */
export interface IssueWorkflowTables {
  issues: { id: number; project_id: number; assignee_id: number | null };
  issue_activity: IssueActivityTable;
  users: { id: number; email: string; name: string };
}

/** An id that can name a stored row in either backend (PostgreSQL's integer columns end at 2^31 - 1). */
const isStoredId = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;

/**
 * Assignment and activity of issues (store/issue-workflow-types.ts), one implementation for every
 * backend as triage/queries.ts is; each store passes its connection cast to these tables.
 */
export class IssueWorkflowQueries {
  constructor(private readonly db: Kysely<IssueWorkflowTables>) {}

  async assignIssues(projectId: number, ids: number[], userId: number | null): Promise<number[]> {
    const valid = ids.filter(isStoredId);
    if (valid.length === 0) return [];
    // Only the issues whose assignee changes: the caller records activity for exactly those.
    const changed = await this.db
      .updateTable('issues')
      .set({ assignee_id: userId })
      .where('project_id', '=', projectId)
      .where('id', 'in', valid)
      .where((eb) => (userId === null ? eb('assignee_id', 'is not', null) : eb.or([eb('assignee_id', 'is', null), eb('assignee_id', '!=', userId)])))
      .returning('id')
      .execute();
    return changed.map((r) => r.id).sort((a, b) => a - b);
  }

  async projectIssueIds(projectId: number, ids: number[]): Promise<number[]> {
    const valid = ids.filter(isStoredId);
    if (valid.length === 0) return [];
    const rows = await this.db.selectFrom('issues').select('id').where('project_id', '=', projectId).where('id', 'in', valid).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async recordActivity(entries: ActivityInput[]): Promise<void> {
    if (entries.length === 0) return;
    const now = Date.now();
    await this.db
      .insertInto('issue_activity')
      .values(
        entries.map((e) => ({
          project_id: e.projectId,
          issue_id: e.issueId,
          at: e.at ?? now,
          kind: e.kind,
          actor_user_id: e.actorUserId,
          actor: e.actor,
          data: JSON.stringify(e.data),
        })),
      )
      .execute();
  }

  async listActivity(issueId: number, limit: number, beforeId?: number): Promise<ActivityEntry[]> {
    let q = this.db.selectFrom('issue_activity').selectAll().where('issue_id', '=', issueId);
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      issueId: r.issue_id,
      kind: r.kind as ActivityKind,
      at: new Date(Number(r.at)).toISOString(),
      actorUserId: r.actor_user_id,
      actor: r.actor,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  /** The assignees of a page of issues, by user id. */
  async assignees(userIds: Array<number | null>): Promise<Map<number, Assignee>> {
    const ids = [...new Set(userIds.filter((id): id is number => id !== null))];
    if (ids.length === 0) return new Map();
    const users = await this.db.selectFrom('users').select(['id', 'email', 'name']).where('id', 'in', ids).execute();
    return new Map(users.map((u) => [u.id, { id: u.id, email: u.email, name: u.name }]));
  }
}

/** What recordReleaseRegression reads and writes, the same in both backends. */
export interface RegressionActivityTables {
  issues: { id: number; project_id: number };
  releases: { id: number; version: string };
  issue_activity: IssueActivityTable;
}

/**
 * The line "regressed in release X" of an issue's history (docs/triage.md), written inside the
 * transaction that reopened the issue (each backend's release-queries.ts), so both commit together.
 */
export async function recordReleaseRegression(tx: Kysely<RegressionActivityTables>, issueId: number, releaseId: number): Promise<void> {
  const issue = await tx.selectFrom('issues').select('project_id').where('id', '=', issueId).executeTakeFirstOrThrow();
  const release = await tx.selectFrom('releases').select('version').where('id', '=', releaseId).executeTakeFirst();
  await tx
    .insertInto('issue_activity')
    .values({
      project_id: issue.project_id, issue_id: issueId, at: Date.now(), kind: 'regression', actor_user_id: null, actor: '',
      data: JSON.stringify({ reason: 'release', release: release?.version ?? null }),
    })
    .execute();
}
