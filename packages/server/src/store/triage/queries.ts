/**
 * Comments, snoozes and saved searches on every backend. These are plain rows with no dialect
 * differences that matter (RETURNING works in SQLite 3.35+ and PostgreSQL), so one implementation
 * over Kysely serves both; each store passes its own connection (cast to Kysely<TriageTables>: its `issues` names only the columns read here).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { IssueComment, IssueSnooze, SavedSearch, SavedSearchVisibility, SnoozeConditions } from '../triage-types.js';
import type { TriageTables } from './tables.js';

const iso = (ms: number) => new Date(Number(ms)).toISOString();
const num = (v: number | null) => (v === null ? null : Number(v));

function comment(r: Selectable<TriageTables['issue_comments']>): IssueComment {
  return {
    id: Number(r.id),
    issueId: Number(r.issue_id),
    userId: num(r.user_id),
    author: r.author,
    text: r.text,
    createdAt: iso(r.created_at),
    updatedAt: r.updated_at === null ? null : iso(r.updated_at),
  };
}

function snooze(r: Selectable<TriageTables['issue_snoozes']>): IssueSnooze {
  return {
    issueId: Number(r.issue_id),
    untilMs: num(r.until_ms),
    events: num(r.until_events),
    users: num(r.until_users),
    baseCount: Number(r.base_count),
    baseUsers: Number(r.base_users),
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
  };
}

function savedSearch(r: Selectable<TriageTables['saved_searches']>): SavedSearch {
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    name: r.name,
    query: r.query,
    sort: r.sort,
    visibility: r.visibility as SavedSearchVisibility,
    userId: num(r.user_id),
    createdBy: r.created_by,
    pinned: Number(r.pinned) === 1,
    position: Number(r.position),
    createdAt: iso(r.created_at),
  };
}

export class TriageQueries {
  constructor(private readonly db: Kysely<TriageTables>) {}

  async addIssueComment(input: { issueId: number; userId: number | null; author: string; text: string }): Promise<IssueComment> {
    const row = await this.db
      .insertInto('issue_comments')
      .values({ issue_id: input.issueId, user_id: input.userId, author: input.author, text: input.text, created_at: Date.now(), updated_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return comment(row);
  }

  async listIssueComments(issueId: number): Promise<IssueComment[]> {
    const rows = await this.db.selectFrom('issue_comments').selectAll().where('issue_id', '=', issueId).orderBy('id').execute();
    return rows.map(comment);
  }

  async getIssueComment(issueId: number, commentId: number): Promise<IssueComment | undefined> {
    const row = await this.db.selectFrom('issue_comments').selectAll().where('issue_id', '=', issueId).where('id', '=', commentId).executeTakeFirst();
    return row ? comment(row) : undefined;
  }

  async updateIssueComment(issueId: number, commentId: number, text: string): Promise<IssueComment | undefined> {
    const row = await this.db
      .updateTable('issue_comments')
      .set({ text, updated_at: Date.now() })
      .where('issue_id', '=', issueId)
      .where('id', '=', commentId)
      .returningAll()
      .executeTakeFirst();
    return row ? comment(row) : undefined;
  }

  async deleteIssueComment(issueId: number, commentId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('issue_comments').where('issue_id', '=', issueId).where('id', '=', commentId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Records the snooze of an issue the caller has just set to ignored. */
  async recordSnooze(issueId: number, conditions: SnoozeConditions, createdBy: string): Promise<IssueSnooze> {
    const issue = await this.db.selectFrom('issues').select(['project_id', 'count', 'user_count']).where('id', '=', issueId).executeTakeFirstOrThrow();
    const values = {
      issue_id: issueId,
      project_id: Number(issue.project_id),
      until_ms: conditions.untilMs ?? null,
      until_events: conditions.events ?? null,
      until_users: conditions.users ?? null,
      base_count: Number(issue.count),
      base_users: Number(issue.user_count),
      created_at: Date.now(),
      created_by: createdBy,
    };
    const { issue_id: _, ...update } = values;
    const row = await this.db
      .insertInto('issue_snoozes')
      .values(values)
      .onConflict((oc) => oc.column('issue_id').doUpdateSet(update))
      .returningAll()
      .executeTakeFirstOrThrow();
    return snooze(row);
  }

  async getIssueSnooze(issueId: number): Promise<IssueSnooze | undefined> {
    const row = await this.db.selectFrom('issue_snoozes').selectAll().where('issue_id', '=', issueId).executeTakeFirst();
    return row ? snooze(row) : undefined;
  }

  async clearIssueSnooze(issueId: number): Promise<void> {
    await this.db.deleteFrom('issue_snoozes').where('issue_id', '=', issueId).execute();
  }

  /** Whether any snooze waits for a count (events or users) rather than only a time. */
  async hasCountedSnoozes(): Promise<boolean> {
    const row = await sql`SELECT 1 AS one FROM issue_snoozes WHERE until_events IS NOT NULL OR until_users IS NOT NULL LIMIT 1`.execute(this.db);
    return row.rows.length > 0;
  }

  /**
   * Wakes every snoozed issue whose time has come or whose count or users grew enough since the
   * snooze, and forgets the snoozes of issues no longer ignored (woken here, or set to another
   * status by hand). Both are bounded by the snoozes table, which is small.
   */
  async wakeSnoozedIssues(projectId: number | null, nowMs: number): Promise<number[]> {
    const inProject = projectId === null ? sql`` : sql`AND s.project_id = ${projectId}`;
    const due = sql`
      SELECT s.issue_id FROM issue_snoozes s JOIN issues i ON i.id = s.issue_id
      WHERE i.status = 'ignored' ${inProject} AND (
        (s.until_ms IS NOT NULL AND s.until_ms <= ${nowMs})
        OR (s.until_events IS NOT NULL AND i.count >= s.base_count + s.until_events)
        OR (s.until_users IS NOT NULL AND i.user_count >= s.base_users + s.until_users))`;
    // Read first, write only when something is due: this runs before every issue read, and a write
    // on the main thread waits for the write lock behind ingest (SQLite) where a read does not.
    const dueIds = (await sql<{ issue_id: number }>`${due}`.execute(this.db)).rows.map((r) => Number(r.issue_id));
    const woken = dueIds.length === 0 ? { rows: [] as Array<{ id: number }> }
      : await sql<{ id: number }>`UPDATE issues SET status = 'unresolved' WHERE id IN (${sql.join(dueIds)}) AND status = 'ignored' RETURNING id`.execute(this.db);
    const stale = sql`SELECT s.issue_id FROM issue_snoozes s JOIN issues i ON i.id = s.issue_id WHERE i.status <> 'ignored' ${inProject}`;
    if ((await sql`${stale} LIMIT 1`.execute(this.db)).rows.length > 0) await sql`DELETE FROM issue_snoozes WHERE issue_id IN (${stale})`.execute(this.db);
    return woken.rows.map((r) => Number(r.id));
  }

  async createSavedSearch(input: Omit<SavedSearch, 'id' | 'createdAt' | 'position'>): Promise<SavedSearch> {
    const last = await this.db
      .selectFrom('saved_searches')
      .select((eb) => eb.fn.max('position').as('position'))
      .where('project_id', '=', input.projectId)
      .executeTakeFirst();
    const row = await this.db
      .insertInto('saved_searches')
      .values({
        project_id: input.projectId,
        name: input.name,
        query: input.query,
        sort: input.sort,
        visibility: input.visibility,
        user_id: input.userId,
        created_by: input.createdBy,
        pinned: input.pinned ? 1 : 0,
        position: Number(last?.position ?? 0) + 1,
        created_at: Date.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return savedSearch(row);
  }

  async listSavedSearches(projectId: number, userId: number | null): Promise<SavedSearch[]> {
    const rows = await this.db
      .selectFrom('saved_searches')
      .selectAll()
      .where('project_id', '=', projectId)
      .where((eb) => (userId === null ? eb('visibility', '=', 'shared') : eb.or([eb('visibility', '=', 'shared'), eb('user_id', '=', userId)])))
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map(savedSearch);
  }

  async getSavedSearch(projectId: number, id: number): Promise<SavedSearch | undefined> {
    const row = await this.db.selectFrom('saved_searches').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return row ? savedSearch(row) : undefined;
  }

  async updateSavedSearch(
    projectId: number,
    id: number,
    patch: Partial<Pick<SavedSearch, 'name' | 'query' | 'sort' | 'visibility' | 'pinned' | 'position'>>,
  ): Promise<SavedSearch | undefined> {
    const set: Partial<Record<string, string | number | null>> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.query !== undefined) set.query = patch.query;
    if (patch.sort !== undefined) set.sort = patch.sort;
    if (patch.visibility !== undefined) set.visibility = patch.visibility;
    if (patch.pinned !== undefined) set.pinned = patch.pinned ? 1 : 0;
    if (patch.position !== undefined) set.position = patch.position;
    if (Object.keys(set).length === 0) return this.getSavedSearch(projectId, id);
    const row = await this.db.updateTable('saved_searches').set(set).where('project_id', '=', projectId).where('id', '=', id).returningAll().executeTakeFirst();
    return row ? savedSearch(row) : undefined;
  }

  async deleteSavedSearch(projectId: number, id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('saved_searches').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
