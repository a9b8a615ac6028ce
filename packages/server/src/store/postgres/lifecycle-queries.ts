/**
 * Retention, deletion and erasure on PostgreSQL (store/lifecycle-types.ts): one short transaction
 * per batch, so concurrent ingest transactions wait at most one batch on a shared row (an issue's
 * counters). Event rows come from an identity sequence and are never reused, so unlike SQLite the
 * newest row can simply be deleted. Space is reclaimed by autovacuum (docs/operations.md).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DeletionBatch, ErasureSubject, ProjectRetention } from '../lifecycle-types.js';
import type { Tables } from './tables.js';

type Tx = Transaction<Tables>;

interface EventRow {
  row: number;
  event_id: Buffer;
}

export class LifecycleQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async getProjectRetention(projectId: number): Promise<ProjectRetention> {
    const { rows } = await sql<{ retention_days: number | null; storage_budget_bytes: number | null }>`
      SELECT retention_days, storage_budget_bytes FROM project_retention WHERE project_id = ${projectId}`.execute(this.db);
    return { retentionDays: rows[0]?.retention_days ?? null, storageBudgetBytes: rows[0]?.storage_budget_bytes ?? null };
  }

  async setProjectRetention(projectId: number, settings: ProjectRetention): Promise<void> {
    await sql`
      INSERT INTO project_retention (project_id, retention_days, storage_budget_bytes)
      VALUES (${projectId}, ${settings.retentionDays}, ${settings.storageBudgetBytes})
      ON CONFLICT (project_id) DO UPDATE SET retention_days = excluded.retention_days, storage_budget_bytes = excluded.storage_budget_bytes`.execute(this.db);
  }

  purgeOlderThan(projectId: number, cutoffMs: number, limit: number): Promise<DeletionBatch> {
    return this.db.transaction().execute(async (tx) => {
      const events = await sql<EventRow>`
        SELECT row, event_id FROM events WHERE project_id = ${projectId} AND timestamp < ${cutoffMs} ORDER BY timestamp LIMIT ${limit}`.execute(tx);
      await this.removeEvents(tx, projectId, events.rows, false);
      const traces = await sql<{ row: number }>`
        SELECT row FROM traces WHERE project_id = ${projectId} AND timestamp_ms < ${cutoffMs} LIMIT ${limit}`.execute(tx);
      const traceRows = traces.rows.map((r) => String(r.row));
      for (const table of ['spans', 'trace_tags', 'trace_metadata', 'traces']) {
        const column = table === 'traces' ? 'row' : 'trace_row';
        await sql`DELETE FROM ${sql.table(table)} WHERE project_id = ${projectId} AND ${sql.ref(column)} = ANY(${traceRows}::bigint[])`.execute(tx);
      }
      const logs = await sql`
        DELETE FROM logs WHERE project_id = ${projectId} AND (timestamp_ms, row) IN (
          SELECT timestamp_ms, row FROM logs WHERE project_id = ${projectId} AND timestamp_ms < ${cutoffMs} LIMIT ${limit})`.execute(tx);
      const raw = await sql`
        DELETE FROM raw_items WHERE project_id = ${projectId} AND row IN (
          SELECT row FROM raw_items WHERE project_id = ${projectId} AND received < ${cutoffMs} LIMIT ${limit})`.execute(tx);
      const replays = await sql<{ row: number }>`
        SELECT row FROM replays WHERE project_id = ${projectId} AND finished_ms < ${cutoffMs} LIMIT ${limit}`.execute(tx);
      await this.removeReplays(tx, projectId, replays.rows.map((r) => r.row));
      const issues = await sql<{ id: number }>`
        SELECT id FROM issues i WHERE project_id = ${projectId} AND last_seen < ${cutoffMs}
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.project_id = i.project_id AND e.issue_id = i.id) LIMIT ${limit}`.execute(tx);
      for (const { id } of issues.rows) await this.removeIssueRows(tx, projectId, id);
      const other = traces.rows.length + Number(logs.numAffectedRows ?? 0) + Number(raw.numAffectedRows ?? 0) + replays.rows.length + issues.rows.length;
      const more = [events.rows.length, traces.rows.length, replays.rows.length, issues.rows.length].some((n) => n === limit);
      if (!more) {
        // Once per pass, with the last batch: these visit every issue and tag value of the project.
        const hour = Math.floor(cutoffMs / 3_600_000);
        await sql`DELETE FROM project_hours WHERE project_id = ${projectId} AND hour < ${hour}`.execute(tx);
        await sql`DELETE FROM issue_hours WHERE project_id = ${projectId} AND hour < ${hour}`.execute(tx);
        await sql`DELETE FROM tag_value_hours WHERE project_id = ${projectId} AND hour < ${hour}`.execute(tx);
      }
      return { events: events.rows.length, other, more };
    });
  }

  deleteIssueBatch(projectId: number, issueId: number, limit: number): Promise<DeletionBatch | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const issue = await sql`SELECT 1 FROM issues WHERE id = ${issueId} AND project_id = ${projectId} FOR UPDATE`.execute(tx);
      if (issue.rows.length === 0) return undefined;
      const events = await sql<EventRow>`
        SELECT row, event_id FROM events WHERE project_id = ${projectId} AND issue_id = ${issueId} LIMIT ${limit}`.execute(tx);
      await this.removeEvents(tx, projectId, events.rows, true);
      if (events.rows.length < limit) await this.removeIssueRows(tx, projectId, issueId);
      return { events: events.rows.length, other: 0, more: events.rows.length === limit };
    });
  }

  deleteEvent(projectId: number, eventId: string): Promise<boolean> {
    if (!/^[0-9a-f]{32}$/.test(eventId)) return Promise.resolve(false);
    return this.db.transaction().execute(async (tx) => {
      const id = Buffer.from(eventId, 'hex');
      const events = await sql<EventRow>`
        SELECT e.row, e.event_id FROM event_ids x JOIN events e ON e.project_id = x.project_id AND e.timestamp = x.timestamp AND e.event_id = x.event_id
        WHERE x.project_id = ${projectId} AND x.event_id = ${id}`.execute(tx);
      if (events.rows.length === 0) return false;
      await this.removeEvents(tx, projectId, events.rows, true);
      return true;
    });
  }

  eraseUserBatch(projectId: number, subject: ErasureSubject, limit: number): Promise<DeletionBatch> {
    return this.db.transaction().execute(async (tx) => {
      const value = await sql<{ id: number }>`
        SELECT id FROM tag_values WHERE project_id = ${projectId} AND key = ${`user.${subject.field}`} AND value = ${subject.value}`.execute(tx);
      const valueId = value.rows[0]?.id;
      const events =
        valueId === undefined
          ? []
          : (
              await sql<EventRow>`
                SELECT e.row, e.event_id FROM event_tags et JOIN events e ON e.project_id = et.project_id AND e.row = et.event_row AND e.timestamp = et.timestamp
                WHERE et.project_id = ${projectId} AND et.value_id = ${valueId} LIMIT ${limit}`.execute(tx)
            ).rows;
      // The person's hashed user key leaves the per-value distinct-user rollup (tag_value_users).
      if (events.length > 0) {
        await sql`
          DELETE FROM tag_value_users WHERE project_id = ${projectId} AND user_hash IN (
            SELECT DISTINCT user_hash FROM events WHERE project_id = ${projectId} AND row = ANY(${events.map((e) => e.row)}::bigint[]) AND user_hash IS NOT NULL)`.execute(tx);
      }
      await this.removeEvents(tx, projectId, events, true);
      const column = subject.field === 'id' ? 'user_id' : 'user_email';
      const replays = await sql<{ row: number }>`
        SELECT row FROM replays WHERE project_id = ${projectId} AND ${sql.ref(column)} = ${subject.value} LIMIT ${limit}`.execute(tx);
      await this.removeReplays(tx, projectId, replays.rows.map((r) => r.row));
      const more = events.length === limit || replays.rows.length === limit;
      if (!more) {
        await sql`DELETE FROM issue_users WHERE project_id = ${projectId} AND user_key = ${`${subject.field}:${subject.value}`}`.execute(tx);
        if (valueId !== undefined) {
          await sql`DELETE FROM tag_value_hours WHERE project_id = ${projectId} AND value_id = ${valueId}`.execute(tx);
          await sql`DELETE FROM tag_values WHERE id = ${valueId}`.execute(tx);
        }
      }
      return { events: events.length, other: replays.rows.length, more };
    });
  }

  async projectStorageBytes(projectId: number): Promise<number> {
    // As on SQLite: the rollup's event count times the mean size of the newest 200 payloads, so
    // measuring never reads a whole project.
    const { rows } = await sql<{ events: number; mean: number; replays: number }>`
      SELECT (SELECT coalesce(sum(count), 0) FROM project_hours WHERE project_id = ${projectId}) AS events,
        (SELECT coalesce(avg(length(payload)), 0) FROM (SELECT payload FROM events WHERE project_id = ${projectId} ORDER BY timestamp DESC LIMIT 200) p) AS mean,
        (SELECT coalesce(sum(stored_bytes), 0) FROM replays WHERE project_id = ${projectId}) AS replays`.execute(this.db);
    const r = rows[0]!;
    return Math.round(Number(r.events) * Number(r.mean)) + Number(r.replays);
  }

  async oldestDataTime(projectId: number): Promise<number | null> {
    const { rows } = await sql<{ t: number | null }>`
      SELECT least(
        (SELECT min(timestamp) FROM events WHERE project_id = ${projectId}),
        (SELECT min(timestamp_ms) FROM traces WHERE project_id = ${projectId}),
        (SELECT min(timestamp_ms)::bigint FROM logs WHERE project_id = ${projectId}),
        (SELECT min(finished_ms)::bigint FROM replays WHERE project_id = ${projectId})) AS t`.execute(this.db);
    const t = rows[0]?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  private async removeEvents(tx: Tx, projectId: number, events: EventRow[], adjustCounts: boolean): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => String(e.row));
    if (adjustCounts) {
      await sql`
        UPDATE issue_tag_values t SET count = t.count - d.n FROM (
          SELECT issue_id, value_id, count(*) AS n FROM event_tags WHERE project_id = ${projectId} AND event_row = ANY(${rows}::bigint[]) GROUP BY 1, 2) d
        WHERE t.project_id = ${projectId} AND t.issue_id = d.issue_id AND t.value_id = d.value_id`.execute(tx);
      await sql`
        UPDATE tag_value_hours t SET count = t.count - d.n FROM (
          SELECT value_id, (timestamp / 3600000)::int AS hour, count(*) AS n FROM event_tags
          WHERE project_id = ${projectId} AND event_row = ANY(${rows}::bigint[]) GROUP BY 1, 2) d
        WHERE t.project_id = ${projectId} AND t.value_id = d.value_id AND t.hour = d.hour`.execute(tx);
      const perHour = sql`SELECT issue_id, (timestamp / 3600000)::int AS hour, count(*) AS n FROM events
        WHERE project_id = ${projectId} AND row = ANY(${rows}::bigint[]) GROUP BY 1, 2`;
      await sql`UPDATE issue_hours t SET count = t.count - d.n FROM (${perHour}) d
        WHERE t.project_id = ${projectId} AND t.issue_id = d.issue_id AND t.hour = d.hour`.execute(tx);
      await sql`UPDATE project_hours t SET count = t.count - d.n FROM (SELECT hour, sum(n) AS n FROM (${perHour}) h GROUP BY 1) d
        WHERE t.project_id = ${projectId} AND t.hour = d.hour`.execute(tx);
      await sql`UPDATE issues t SET count = greatest(t.count - d.n, 0) FROM (SELECT issue_id, sum(n) AS n FROM (${perHour}) h GROUP BY 1) d
        WHERE t.id = d.issue_id`.execute(tx);
      for (const table of ['issue_tag_values', 'tag_value_hours', 'issue_hours', 'project_hours']) {
        await sql`DELETE FROM ${sql.table(table)} WHERE project_id = ${projectId} AND count <= 0`.execute(tx);
      }
    }
    const tags = await sql<{ value_id: number }>`
      DELETE FROM event_tags WHERE project_id = ${projectId} AND event_row = ANY(${rows}::bigint[]) RETURNING value_id`.execute(tx);
    // Tag values no event carries any more (their last events deleted or aged out) leave the
    // distinct-user rollup: otherwise their tag_value_users rows, hashed user keys, outlive the
    // events for good. One primary-key probe of event_tags per distinct value of the batch.
    const values = [...new Set(tags.rows.map((r) => Number(r.value_id)))];
    if (values.length > 0) {
      await sql`
        DELETE FROM tag_value_users WHERE project_id = ${projectId} AND value_id IN (
          SELECT v FROM unnest(${values}::int[]) AS v
          WHERE NOT EXISTS (SELECT 1 FROM event_tags et WHERE et.project_id = ${projectId} AND et.value_id = v))`.execute(tx);
    }
    await sql`DELETE FROM events WHERE project_id = ${projectId} AND row = ANY(${rows}::bigint[])`.execute(tx);
    await sql`DELETE FROM event_ids WHERE project_id = ${projectId} AND event_id = ANY(${events.map((e) => e.event_id)}::bytea[])`.execute(tx);
  }

  /** Deletes an issue's rows, with the issues merged into it (as SQLite's lifecycle-queries.ts). */
  private async removeIssueRows(tx: Tx, projectId: number, issueId: number): Promise<void> {
    const merged = await sql<{ id: number }>`SELECT id FROM issues WHERE project_id = ${projectId} AND merged_into = ${issueId}`.execute(tx);
    for (const id of [...merged.rows.map((r) => r.id), issueId]) {
      for (const table of ['issue_tag_values', 'issue_users', 'issue_accounts', 'issue_hours', 'issue_activity']) {
        await sql`DELETE FROM ${sql.table(table)} WHERE project_id = ${projectId} AND issue_id = ${id}`.execute(tx);
      }
      await sql`DELETE FROM issues WHERE id = ${id}`.execute(tx);
    }
  }

  private async removeReplays(tx: Tx, projectId: number, rows: number[]): Promise<void> {
    if (rows.length === 0) return;
    const list = rows.map(String);
    for (const table of ['replay_segments', 'replay_errors']) {
      await sql`DELETE FROM ${sql.table(table)} WHERE project_id = ${projectId} AND replay_row = ANY(${list}::bigint[])`.execute(tx);
    }
    await sql`DELETE FROM replays WHERE project_id = ${projectId} AND row = ANY(${list}::bigint[])`.execute(tx);
  }
}
