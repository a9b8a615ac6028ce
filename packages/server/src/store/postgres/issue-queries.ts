import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Issue, IssueListQuery, IssueSort, IssueStatus, Page } from '../types.js';
import { isStoredId, resolveTagValues, SearchCompiler } from './search-sql.js';
import type { Tables } from './tables.js';
import { IssueWorkflowQueries, type IssueWorkflowTables } from '../triage/issue-workflow-queries.js';

const iso = (ms: number) => new Date(ms).toISOString();
type IssueRow = Selectable<Tables['issues']>;

const SORT_COLUMNS: Record<IssueSort, 'last_seen' | 'first_seen' | 'count' | 'user_count'> = {
  date: 'last_seen',
  new: 'first_seen',
  freq: 'count',
  users: 'user_count',
};

export class IssueQueries {
  private readonly workflow: IssueWorkflowQueries;

  constructor(private readonly db: Kysely<Tables>) {
    this.workflow = new IssueWorkflowQueries(db as unknown as Kysely<IssueWorkflowTables>);
  }

  async listIssues(query: IssueListQuery): Promise<Page<Issue>> {
    const column = SORT_COLUMNS[query.sort];
    let q = this.db.selectFrom('issues').selectAll().where('project_id', '=', query.projectId).where('merged_into', 'is', null);
    if (query.filter) {
      const compiler = new SearchCompiler(this.db, query.projectId, 'issues', 'events', await resolveTagValues(this.db, query.projectId, query.filter));
      q = q.where((eb) => compiler.compile(eb, query.filter!));
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor || typeof cursor.sortValue !== 'number' || !Number.isSafeInteger(cursor.sortValue)) throw new RangeError('cursor is not valid');
      const { sortValue, id } = cursor;
      q = q.where((eb) => eb.or([eb(column, '<', sortValue), eb.and([eb(column, '=', sortValue), eb('id', '<', Math.min(id, 2_147_483_647))])]));
    }
    const rows = (await q.orderBy(column, 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute()) as IssueRow[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: await this.toIssues(page),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last[column], last.id) : null,
    };
  }

  private async toIssues(rows: IssueRow[]): Promise<Issue[]> {
    if (rows.length === 0) return [];
    const projects = [...new Set(rows.map((r) => r.project_id))];
    // tag_values by (project, key) first: joined on the id alone, the planner walked tag_values'
    // whole primary key filtering for the key (4 ms per issue at 16,000 values, 0.1 ms this way).
    const environments = await this.db
      .selectFrom('issue_tag_values as itv')
      .innerJoin('tag_values as tv', (join) => join.onRef('tv.project_id', '=', 'itv.project_id').onRef('tv.id', '=', 'itv.value_id'))
      .select(['itv.issue_id', 'tv.value'])
      .where('tv.project_id', 'in', projects)
      .where('tv.key', '=', 'environment')
      .where('itv.project_id', 'in', projects)
      .where('itv.issue_id', 'in', rows.map((r) => r.id))
      .orderBy('tv.value')
      .execute();
    const byIssue = new Map<number, string[]>();
    for (const e of environments) byIssue.set(e.issue_id, [...(byIssue.get(e.issue_id) ?? []), e.value]);
    const assignees = await this.workflow.assignees(rows.map((r) => r.assignee_id));
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      title: r.title,
      culprit: r.culprit,
      type: r.type,
      level: r.level,
      fingerprint: r.fingerprint,
      groupingVersion: r.grouping_version,
      status: r.status as IssueStatus,
      isRegressed: r.is_regressed,
      count: r.count,
      userCount: r.user_count,
      accountCount: r.account_count,
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      firstRelease: r.first_release,
      lastRelease: r.last_release,
      environments: byIssue.get(r.id) ?? [],
      assignedTo: (r.assignee_id !== null && assignees.get(r.assignee_id)) || null,
      mergedInto: r.merged_into,
    }));
  }

  async getIssue(id: number): Promise<Issue | undefined> {
    if (!isStoredId(id)) return undefined;
    const row = (await this.db.selectFrom('issues').selectAll().where('id', '=', id).executeTakeFirst()) as IssueRow | undefined;
    return row ? (await this.toIssues([row]))[0] : undefined;
  }

  async setIssueStatus(id: number, status: IssueStatus): Promise<Issue | undefined> {
    await this.setIssuesStatus(undefined, [id], status);
    return this.getIssue(id);
  }

  /**
   * Any explicit status change ends the "regressed" state; the next regression sets it again.
   * The writer reopens a resolved issue in the transaction that adds events to it, under the
   * issue's row lock, so an event committed after this update reopens it and one before does not.
   */
  async setIssuesStatus(projectId: number | undefined, ids: number[], status: IssueStatus): Promise<number> {
    const valid = ids.filter(isStoredId);
    if (valid.length === 0) return 0;
    let q = this.db
      .updateTable('issues')
      // A plain status change replaces any resolution by release (release-queries.ts).
      .set({ status, is_regressed: false, resolution_kind: null, resolved_in_release: null, resolved_release_floor: null })
      .where('id', 'in', valid);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
