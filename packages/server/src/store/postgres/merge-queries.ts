import { sql, type Kysely, type Transaction } from 'kysely';
import type { IssueFingerprint } from '../issue-workflow-types.js';
import { isStoredId } from './search-sql.js';
import type { Tables } from './tables.js';
import { lockProjectExclusive } from './merge-lock.js';

type Tx = Transaction<Tables>;
const HOUR_MS = 3_600_000;
/** Deadlock and serialization failures: the move is rerun, as the writer reruns a batch. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Merge and unmerge (docs/triage.md) on PostgreSQL. The project's merge lock is taken first
 * (merge-lock.ts: exclusive here, shared in the event writer), so an event is either committed
 * before the move (and moved) or written after it and sees merged_into. Every count
 * derived from the events is then rebuilt from the events of the issues involved. event_ids keeps
 * the issue an event was first stored under: it only answers which issue a resent event is in.
 */
export class MergeQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  mergeIssues(projectId: number, targetId: number, sourceIds: number[]): Promise<number[]> {
    const candidates = sourceIds.filter((id) => isStoredId(id) && id !== targetId);
    if (!isStoredId(targetId) || candidates.length === 0) return Promise.resolve([]);
    return this.retrying(async (tx) => {
      const locked = await this.lock(tx, projectId, [targetId, ...candidates]);
      if (!locked.some((r) => r.id === targetId && r.merged_into === null)) return [];
      const sources = locked.filter((r) => r.id !== targetId && r.merged_into === null).map((r) => r.id);
      if (sources.length === 0) return [];
      await sql`UPDATE events SET origin_issue_id = coalesce(origin_issue_id, issue_id), issue_id = ${targetId}
        WHERE project_id = ${projectId} AND issue_id = ANY(${sources}::int[])`.execute(tx);
      await sql`UPDATE event_tags SET issue_id = ${targetId} WHERE project_id = ${projectId} AND issue_id = ANY(${sources}::int[])`.execute(tx);
      await sql`UPDATE issues SET merged_into = ${targetId} WHERE project_id = ${projectId} AND (id = ANY(${sources}::int[]) OR merged_into = ANY(${sources}::int[]))`.execute(tx);
      // Comments follow their issue, remembering it as events do, so an unmerge gives them back.
      await sql`UPDATE issue_comments SET origin_issue_id = coalesce(origin_issue_id, issue_id), issue_id = ${targetId}
        WHERE issue_id = ANY(${sources}::int[])`.execute(tx);
      for (const [table, column] of [['issue_users', 'user_key'], ['issue_accounts', 'account_key']] as const) {
        await sql`INSERT INTO ${sql.table(table)} (project_id, issue_id, ${sql.ref(column)})
          SELECT project_id, ${targetId}, ${sql.ref(column)} FROM ${sql.table(table)} WHERE project_id = ${projectId} AND issue_id = ANY(${sources}::int[])
          ON CONFLICT DO NOTHING`.execute(tx);
      }
      // The merged issue's first release is the one of whichever issue was seen first.
      await sql`UPDATE issues SET first_release = (SELECT s.first_release FROM issues s WHERE s.id = ANY(${[targetId, ...sources]}::int[]) ORDER BY s.first_seen LIMIT 1)
        WHERE id = ${targetId}`.execute(tx);
      await this.rebuild(tx, projectId, [targetId, ...sources]);
      return sources;
    });
  }

  unmergeIssues(projectId: number, targetId: number, originIds: number[]): Promise<number[]> {
    const candidates = originIds.filter(isStoredId);
    if (!isStoredId(targetId) || candidates.length === 0) return Promise.resolve([]);
    return this.retrying(async (tx) => {
      const locked = await this.lock(tx, projectId, [targetId, ...candidates]);
      const restored = locked.filter((r) => r.merged_into === targetId && candidates.includes(r.id)).map((r) => r.id);
      if (restored.length === 0) return [];
      await sql`UPDATE events SET issue_id = origin_issue_id, origin_issue_id = NULL
        WHERE project_id = ${projectId} AND issue_id = ${targetId} AND origin_issue_id = ANY(${restored}::int[])`.execute(tx);
      await sql`UPDATE event_tags et SET issue_id = e.issue_id FROM events e
        WHERE et.project_id = ${projectId} AND et.issue_id = ${targetId} AND e.project_id = et.project_id AND e.row = et.event_row
          AND e.timestamp = et.timestamp AND e.issue_id = ANY(${restored}::int[])`.execute(tx);
      await sql`UPDATE issue_comments SET issue_id = origin_issue_id, origin_issue_id = NULL
        WHERE issue_id = ${targetId} AND origin_issue_id = ANY(${restored}::int[])`.execute(tx);
      await sql`UPDATE issues SET merged_into = NULL WHERE id = ANY(${restored}::int[])`.execute(tx);
      await this.rebuild(tx, projectId, [targetId, ...restored]);
      return restored;
    });
  }

  async issueFingerprints(issueId: number): Promise<IssueFingerprint[]> {
    if (!isStoredId(issueId)) return [];
    const issues = await this.db
      .selectFrom('issues')
      .select(['id', 'project_id', 'fingerprint', 'grouping_version'])
      .where((eb) => eb.or([eb('id', '=', issueId), eb('merged_into', '=', issueId)]))
      .orderBy(sql`id <> ${issueId}`)
      .orderBy('id')
      .execute();
    const projectId = issues[0]?.project_id ?? 0;
    const counts = await sql<{ origin: number; n: string }>`SELECT coalesce(origin_issue_id, issue_id) AS origin, count(*) AS n FROM events
      WHERE project_id = ${projectId} AND issue_id = ${issueId} GROUP BY 1`.execute(this.db);
    const byOrigin = new Map(counts.rows.map((r) => [r.origin, Number(r.n)]));
    return issues.map((i) => ({ issueId: i.id, fingerprint: i.fingerprint, groupingVersion: i.grouping_version, events: byOrigin.get(i.id) ?? 0, merged: i.id !== issueId }));
  }

  private async retrying<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(work);
      } catch (error) {
        if (attempt >= 5 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
  }

  /** Waits out the project's writers (merge-lock.ts), then locks the issues in id order (every transaction locks issue rows in that order). */
  private async lock(tx: Tx, projectId: number, ids: number[]) {
    await lockProjectExclusive(tx, projectId);
    const rows = await sql<{ id: number; merged_into: number | null }>`SELECT id, merged_into FROM issues
      WHERE project_id = ${projectId} AND id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`.execute(tx);
    return rows.rows;
  }

  /** Recounts the per-issue rows and counters of these issues from their events. */
  private async rebuild(tx: Tx, projectId: number, issueIds: number[]): Promise<void> {
    const ids = sql`${issueIds}::int[]`;
    // Only values these issues had can be on their events: event_tags is read by its primary key
    // (project, value) instead of every tag row of the project.
    const values = await sql<{ value_id: number }>`SELECT DISTINCT value_id FROM issue_tag_values WHERE project_id = ${projectId} AND issue_id = ANY(${ids})`.execute(tx);
    await sql`DELETE FROM issue_tag_values WHERE project_id = ${projectId} AND issue_id = ANY(${ids})`.execute(tx);
    await sql`INSERT INTO issue_tag_values (project_id, issue_id, value_id, count, first_seen, last_seen)
      SELECT project_id, issue_id, value_id, count(*), min(timestamp), max(timestamp) FROM event_tags
      WHERE project_id = ${projectId} AND value_id = ANY(${values.rows.map((r) => r.value_id)}::int[]) AND issue_id = ANY(${ids})
      GROUP BY project_id, issue_id, value_id`.execute(tx);
    await sql`DELETE FROM issue_hours WHERE project_id = ${projectId} AND issue_id = ANY(${ids})`.execute(tx);
    await sql`INSERT INTO issue_hours (project_id, issue_id, hour, count)
      SELECT project_id, issue_id, floor(timestamp / ${HOUR_MS})::int, count(*) FROM events
      WHERE project_id = ${projectId} AND issue_id = ANY(${ids}) GROUP BY 1, 2, 3`.execute(tx);
    await sql`UPDATE issues i SET count = coalesce(e.n, 0), first_seen = coalesce(e.first, i.first_seen), last_seen = coalesce(e.last, i.last_seen),
        user_count = coalesce(e.users, 0),
        account_count = CASE WHEN coalesce(e.n, 0) = 0 THEN 0 ELSE (SELECT count(*) FROM issue_accounts a WHERE a.project_id = i.project_id AND a.issue_id = i.id) END
      FROM unnest(${ids}) AS w(id)
      LEFT JOIN (SELECT issue_id, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last, count(DISTINCT user_hash) AS users
        FROM events WHERE project_id = ${projectId} AND issue_id = ANY(${ids}) GROUP BY issue_id) e ON e.issue_id = w.id
      WHERE i.id = w.id`.execute(tx);
  }
}
