import type Database from 'better-sqlite3';
import type { IssueFingerprint } from '../issue-workflow-types.js';

const HOUR_MS = 3_600_000;

/**
 * Merge and unmerge (docs/triage.md) on SQLite. Events move between issues by their row; every
 * count derived from them is then rebuilt from the events of the issues involved, so what a merge
 * or unmerge leaves is exact rather than the sum of running counters. The caller brings the
 * writer's gathered rows up to date before and after (store.ts), so rows gathered for a merged-away
 * issue while this ran are recounted from the moved events.
 */
export class MergeQueries {
  constructor(private readonly db: Database.Database) {}

  mergeIssues(projectId: number, targetId: number, sourceIds: number[]): number[] {
    return this.db.transaction(() => {
      const target = this.db.prepare('SELECT id FROM issues WHERE id = ? AND project_id = ? AND merged_into IS NULL').get(targetId, projectId);
      if (!target) return [];
      const sources = this.liveIds(projectId, sourceIds.filter((id) => id !== targetId));
      if (sources.length === 0) return [];
      const list = JSON.stringify(sources);
      const all = JSON.stringify([targetId, ...sources]);
      this.db
        .prepare('UPDATE events SET origin_issue_id = coalesce(origin_issue_id, issue_id), issue_id = ? WHERE issue_id IN (SELECT value FROM json_each(?))')
        .run(targetId, list);
      this.db.prepare('UPDATE issues SET merged_into = ? WHERE id IN (SELECT value FROM json_each(?)) OR merged_into IN (SELECT value FROM json_each(?))').run(targetId, list, list);
      // Comments follow their issue, remembering it as events do, so an unmerge gives them back.
      this.db
        .prepare('UPDATE issue_comments SET origin_issue_id = coalesce(origin_issue_id, issue_id), issue_id = ? WHERE issue_id IN (SELECT value FROM json_each(?))')
        .run(targetId, list);
      for (const [table, column] of [['issue_users', 'user_key'], ['issue_accounts', 'account_key']] as const) {
        this.db.prepare(`INSERT OR IGNORE INTO ${table} (issue_id, ${column}) SELECT ?, ${column} FROM ${table} WHERE issue_id IN (SELECT value FROM json_each(?))`).run(targetId, list);
      }
      // The merged issue's first release is the one of whichever issue was seen first.
      this.db
        .prepare('UPDATE issues SET first_release = (SELECT first_release FROM issues s WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.first_seen LIMIT 1) WHERE id = ?')
        .run(all, targetId);
      this.rebuild([targetId, ...sources]);
      return sources;
    })();
  }

  unmergeIssues(projectId: number, targetId: number, originIds: number[]): number[] {
    return this.db.transaction(() => {
      const restored = (
        this.db
          .prepare('SELECT id FROM issues WHERE project_id = ? AND merged_into = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id')
          .all(projectId, targetId, JSON.stringify(originIds)) as Array<{ id: number }>
      ).map((r) => r.id);
      if (restored.length === 0) return [];
      const list = JSON.stringify(restored);
      this.db
        .prepare('UPDATE events SET issue_id = origin_issue_id, origin_issue_id = NULL WHERE origin_issue_id IN (SELECT value FROM json_each(?)) AND issue_id = ?')
        .run(list, targetId);
      this.db
        .prepare('UPDATE issue_comments SET issue_id = origin_issue_id, origin_issue_id = NULL WHERE origin_issue_id IN (SELECT value FROM json_each(?)) AND issue_id = ?')
        .run(list, targetId);
      this.db.prepare('UPDATE issues SET merged_into = NULL WHERE id IN (SELECT value FROM json_each(?))').run(list);
      this.rebuild([targetId, ...restored]);
      return restored;
    })();
  }

  issueFingerprints(issueId: number): IssueFingerprint[] {
    const issues = this.db
      .prepare('SELECT id, fingerprint, grouping_version FROM issues WHERE id = ? OR merged_into = ? ORDER BY id <> ?, id')
      .all(issueId, issueId, issueId) as Array<{ id: number; fingerprint: string; grouping_version: string }>;
    const counts = new Map(
      (
        this.db.prepare('SELECT coalesce(origin_issue_id, issue_id) AS origin, count(*) AS n FROM events WHERE issue_id = ? GROUP BY 1').all(issueId) as Array<{
          origin: number;
          n: number;
        }>
      ).map((r) => [r.origin, r.n]),
    );
    return issues.map((i) => ({ issueId: i.id, fingerprint: i.fingerprint, groupingVersion: i.grouping_version, events: counts.get(i.id) ?? 0, merged: i.id !== issueId }));
  }

  private liveIds(projectId: number, ids: number[]): number[] {
    const rows = this.db
      .prepare('SELECT id FROM issues WHERE project_id = ? AND merged_into IS NULL AND id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(projectId, JSON.stringify(ids)) as Array<{ id: number }>;
    return rows.map((r) => r.id);
  }

  /** Recounts the per-issue rows and counters of these issues from their events. */
  recount(issueIds: number[]): void {
    this.db.transaction(() => this.rebuild(issueIds))();
  }

  private rebuild(issueIds: number[]): void {
    const ids = JSON.stringify(issueIds);
    // Only values some of these issues had can be on their events: reading event_tags by those
    // value ids uses its primary key instead of scanning every tag row of the project.
    const values = JSON.stringify(
      (this.db.prepare('SELECT DISTINCT value_id FROM issue_tag_values WHERE issue_id IN (SELECT value FROM json_each(?))').all(ids) as Array<{ value_id: number }>).map(
        (r) => r.value_id,
      ),
    );
    this.db.prepare('DELETE FROM issue_tag_values WHERE issue_id IN (SELECT value FROM json_each(?))').run(ids);
    this.db
      .prepare(
        `INSERT INTO issue_tag_values (issue_id, value_id, count, first_seen, last_seen)
         SELECT e.issue_id, et.value_id, count(*), min(e.timestamp), max(e.timestamp)
         FROM event_tags et JOIN events e ON e.row = et.event_row
         WHERE et.value_id IN (SELECT value FROM json_each(?)) AND e.issue_id IN (SELECT value FROM json_each(?))
         GROUP BY e.issue_id, et.value_id`,
      )
      .run(values, ids);
    this.db.prepare('DELETE FROM issue_hours WHERE issue_id IN (SELECT value FROM json_each(?))').run(ids);
    this.db
      .prepare(
        `INSERT INTO issue_hours (issue_id, hour, count)
         SELECT issue_id, timestamp / ${HOUR_MS}, count(*) FROM events WHERE issue_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2`,
      )
      .run(ids);
    this.db
      .prepare(
        `UPDATE issues SET
           count = (SELECT count(*) FROM events e WHERE e.issue_id = issues.id),
           first_seen = coalesce((SELECT min(timestamp) FROM events e WHERE e.issue_id = issues.id), first_seen),
           last_seen = coalesce((SELECT max(timestamp) FROM events e WHERE e.issue_id = issues.id), last_seen),
           user_count = (SELECT count(DISTINCT user_hash) FROM events e WHERE e.issue_id = issues.id),
           account_count = CASE WHEN (SELECT count(*) FROM events e WHERE e.issue_id = issues.id) = 0 THEN 0
             ELSE (SELECT count(*) FROM issue_accounts a WHERE a.issue_id = issues.id) END
         WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .run(ids);
  }
}
