/**
 * Retention, deletion and erasure on SQLite (store/lifecycle-types.ts), one IMMEDIATE transaction
 * per batch. In the server they run on the writer thread's connection between ingest batches,
 * sized to a time target (write-path/lifecycle-jobs.ts, lifecycle/deletion-pacer.ts); the CLI
 * runs them on its own connection. Either way the writer's gathered derived rows are applied
 * first, so the tag rows and counts of the events deleted here exist when they are taken out.
 *
 * Event rows are INTEGER PRIMARY KEY without AUTOINCREMENT: deleting the newest row would let the
 * next insert reuse its number, which the alert cursor and issues.status_row must never see. The
 * newest row is therefore blanked (project 0, empty payload) instead of deleted; a later pass
 * deletes it once it is no longer the newest.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DeletionBatch, ErasureSubject, ProjectRetention } from '../lifecycle-types.js';

const HOUR = 3_600_000;

interface EventRow {
  row: number;
  issue_id: number;
  timestamp: number;
}

export class LifecycleQueries {
  /**
   * Set when a deletion removed rows of tag_value_users: the store then has the writer forget the
   * (value, user) pairs it remembers as stored, or a returning user would not be counted again.
   */
  valueUsersForgotten = false;

  constructor(private readonly db: Database.Database) {}

  /**
   * For a process without the writer thread (the CLI beside a running server): waits until the
   * server's writer has applied the derived rows of every batch journaled before now, so what is
   * deleted has its tag rows and counts in place to be taken out.
   */
  async awaitJournal(timeoutMs = 10_000): Promise<void> {
    const newest = this.db.prepare('SELECT max(batch) FROM derived_journal').pluck().get() as number | null;
    if (newest === null) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const oldest = this.db.prepare('SELECT min(batch) FROM derived_journal').pluck().get() as number | null;
      if (oldest === null || oldest > newest) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the server has not applied its journaled counts within 10 s; start it (it replays the journal on start), then run this again');
  }

  getProjectRetention(projectId: number): ProjectRetention {
    const row = this.db.prepare('SELECT retention_days, storage_budget_bytes FROM project_retention WHERE project_id = ?').get(projectId) as
      | { retention_days: number | null; storage_budget_bytes: number | null }
      | undefined;
    return { retentionDays: row?.retention_days ?? null, storageBudgetBytes: row?.storage_budget_bytes ?? null };
  }

  setProjectRetention(projectId: number, settings: ProjectRetention): void {
    this.db
      .prepare(
        `INSERT INTO project_retention (project_id, retention_days, storage_budget_bytes) VALUES (?, ?, ?)
         ON CONFLICT (project_id) DO UPDATE SET retention_days = excluded.retention_days, storage_budget_bytes = excluded.storage_budget_bytes`,
      )
      .run(projectId, settings.retentionDays, settings.storageBudgetBytes);
  }

  purgeOlderThan(projectId: number, cutoffMs: number, limit: number): DeletionBatch {
    return this.db
      .transaction((): DeletionBatch => {
        const events = this.db
          .prepare('SELECT row, issue_id, timestamp FROM events WHERE project_id = ? AND timestamp < ? ORDER BY timestamp LIMIT ?')
          .all(projectId, cutoffMs, limit) as EventRow[];
        this.removeEvents(projectId, events, false);
        let other = 0;
        const traces = this.db.prepare('SELECT row FROM traces WHERE project_id = ? AND timestamp_ms < ? LIMIT ?').pluck().all(projectId, cutoffMs, limit) as number[];
        for (const row of traces) {
          for (const table of ['spans', 'trace_tags', 'trace_metadata']) this.db.prepare(`DELETE FROM ${table} WHERE trace_row = ?`).run(row);
          this.db.prepare('DELETE FROM traces WHERE row = ?').run(row);
        }
        other += traces.length;
        other += this.db.prepare('DELETE FROM logs WHERE row IN (SELECT row FROM logs WHERE project_id = ? AND timestamp_ms < ? LIMIT ?)').run(projectId, cutoffMs, limit).changes;
        other += this.db.prepare('DELETE FROM raw_items WHERE row IN (SELECT row FROM raw_items WHERE project_id = ? AND received < ? LIMIT ?)').run(projectId, cutoffMs, limit).changes;
        const replays = this.db.prepare('SELECT row FROM replays WHERE project_id = ? AND finished_ms < ? LIMIT ?').pluck().all(projectId, cutoffMs, limit) as number[];
        this.removeReplays(replays);
        other += replays.length;
        // Issues whose every event has aged out; an event committed meanwhile keeps its issue.
        const issues = this.db
          .prepare('SELECT id FROM issues i WHERE project_id = ? AND last_seen < ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id) LIMIT ?')
          .pluck()
          .all(projectId, cutoffMs, limit) as number[];
        for (const id of issues) this.removeIssueRows(id);
        const full = events.length === limit || traces.length === limit || replays.length === limit || issues.length === limit;
        const hour = Math.floor(cutoffMs / HOUR);
        // Every event adds to project_hours with the other rollups (and a deletion has them applied
        // first), so no project hour before the cutoff means no old issue or tag hour either: a pass
        // with nothing to purge skips the scans below (~57 ms at 200,000 events, every pass).
        if (!full && this.db.prepare('SELECT 1 FROM project_hours WHERE project_id = ? AND hour < ? LIMIT 1').get(projectId, hour) !== undefined) {
          // Once per pass, with the last batch: these visit every issue and tag value of the project.
          this.db.prepare('DELETE FROM project_hours WHERE project_id = ? AND hour < ?').run(projectId, hour);
          this.db.prepare('DELETE FROM issue_hours WHERE hour < ? AND issue_id IN (SELECT id FROM issues WHERE project_id = ?)').run(hour, projectId);
          this.db.prepare('DELETE FROM tag_value_hours WHERE hour < ? AND value_id IN (SELECT id FROM tag_values WHERE project_id = ?)').run(hour, projectId);
        }
        if (!full) this.deleteStaleBlanks();
        return { events: events.length, other: other + issues.length, more: full };
      })
      .immediate();
  }

  deleteIssueBatch(projectId: number, issueId: number, limit: number): DeletionBatch | undefined {
    return this.db
      .transaction((): DeletionBatch | undefined => {
        const exists = this.db.prepare('SELECT 1 FROM issues WHERE id = ? AND project_id = ?').get(issueId, projectId);
        if (!exists) return undefined;
        const events = this.db.prepare('SELECT row, issue_id, timestamp FROM events WHERE issue_id = ? LIMIT ?').all(issueId, limit) as EventRow[];
        this.removeEvents(projectId, events, true);
        if (events.length < limit) this.removeIssueRows(issueId);
        return { events: events.length, other: 0, more: events.length === limit };
      })
      .immediate();
  }

  deleteEvent(projectId: number, eventId: string): boolean {
    if (!/^[0-9a-f]{32}$/.test(eventId)) return false;
    return this.db
      .transaction(() => {
        const event = this.db
          .prepare('SELECT row, issue_id, timestamp FROM events WHERE project_id = ? AND event_id = ?')
          .get(projectId, Buffer.from(eventId, 'hex')) as EventRow | undefined;
        if (!event) return false;
        this.removeEvents(projectId, [event], true);
        return true;
      })
      .immediate();
  }

  eraseUserBatch(projectId: number, subject: ErasureSubject, limit: number): DeletionBatch {
    return this.db
      .transaction((): DeletionBatch => {
        const key = `user.${subject.field}`;
        const valueId = this.db.prepare('SELECT id FROM tag_values WHERE project_id = ? AND key = ? AND value = ?').pluck().get(projectId, key, subject.value) as
          | number
          | undefined;
        const events =
          valueId === undefined
            ? []
            : (this.db
                .prepare('SELECT e.row, e.issue_id, e.timestamp FROM event_tags et JOIN events e ON e.row = et.event_row WHERE et.value_id = ? LIMIT ?')
                .all(valueId, limit) as EventRow[]);
        // The person's hashed user key leaves the per-value distinct-user rollup (tag_value_users).
        const hashes = new Set<number>();
        const hashOf = this.db.prepare('SELECT user_hash FROM events WHERE row = ?').pluck();
        for (const e of events) {
          const hash = hashOf.get(e.row) as number | null;
          if (hash !== null) hashes.add(hash);
        }
        const forgetUser = this.db.prepare('DELETE FROM tag_value_users WHERE user_hash = ? AND value_id IN (SELECT id FROM tag_values WHERE project_id = ?)');
        for (const hash of hashes) forgetUser.run(hash, projectId);
        this.removeEvents(projectId, events, true);
        const column = subject.field === 'id' ? 'user_id' : 'user_email';
        const replays = this.db.prepare(`SELECT row FROM replays WHERE project_id = ? AND ${column} = ? LIMIT ?`).pluck().all(projectId, subject.value, limit) as number[];
        this.removeReplays(replays);
        const more = events.length === limit || replays.length === limit;
        if (!more) {
          // The person's identity leaves the distinct-user rows and the interned tag values too.
          this.db
            .prepare('DELETE FROM issue_users WHERE user_key = ? AND issue_id IN (SELECT id FROM issues WHERE project_id = ?)')
            .run(`${subject.field}:${subject.value}`, projectId);
          if (valueId !== undefined) {
            this.db.prepare('DELETE FROM tag_value_hours WHERE value_id = ?').run(valueId);
            this.db.prepare('DELETE FROM tag_values WHERE id = ?').run(valueId);
          }
        }
        return { events: events.length, other: replays.length, more };
      })
      .immediate();
  }

  projectStorageBytes(projectId: number): number {
    // Summing every payload's length reads the whole project (about a second per million events on
    // the main thread), so the event part is estimated: the rollup's event count times the mean
    // size of the newest 200 payloads.
    const events = this.db.prepare('SELECT coalesce(sum(count), 0) FROM project_hours WHERE project_id = ?').pluck().get(projectId) as number;
    const mean = this.db
      .prepare('SELECT coalesce(avg(length(payload)), 0) FROM (SELECT payload FROM events WHERE project_id = ? ORDER BY timestamp DESC LIMIT 200)')
      .pluck()
      .get(projectId) as number;
    const replays = this.db.prepare('SELECT coalesce(sum(stored_bytes), 0) FROM replays WHERE project_id = ?').pluck().get(projectId) as number;
    return Math.round(events * mean) + replays;
  }

  oldestDataTime(projectId: number): number | null {
    const times = [
      this.db.prepare('SELECT min(timestamp) FROM events WHERE project_id = ?').pluck().get(projectId),
      this.db.prepare('SELECT min(timestamp_ms) FROM traces WHERE project_id = ?').pluck().get(projectId),
      this.db.prepare('SELECT min(timestamp_ms) FROM logs WHERE project_id = ?').pluck().get(projectId),
      this.db.prepare('SELECT min(finished_ms) FROM replays WHERE project_id = ?').pluck().get(projectId),
    ].filter((t): t is number => typeof t === 'number');
    return times.length === 0 ? null : Math.min(...times);
  }

  /**
   * Returns up to `pages` free pages to the file system and says how many are left: 0 when none,
   * or when the database was created without auto_vacuum = INCREMENTAL (nothing can be given back
   * without a full VACUUM, docs/operations.md).
   */
  reclaimSpace(pages: number): number {
    if (this.db.pragma('auto_vacuum', { simple: true }) !== 2) return 0;
    this.db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
    return this.db.pragma('freelist_count', { simple: true }) as number;
  }

  /**
   * Deletes events with their tag rows. `adjustCounts` takes them out of their issue's count, tag
   * counts and hourly rollups (an explicit deletion); retention leaves the lifetime counts and
   * deletes the old hours of the rollups instead.
   */
  private removeEvents(projectId: number, events: EventRow[], adjustCounts: boolean): void {
    if (events.length === 0) return;
    const newest = this.db.prepare('SELECT max(row) FROM events').pluck().get() as number;
    // The tag rows go first, saying which values they held (for the counts and the user rollup).
    const deleteTags = this.db.prepare('DELETE FROM event_tags WHERE event_row = ? RETURNING value_id').pluck();
    const dec = {
      issue: this.db.prepare('UPDATE issues SET count = max(count - 1, 0) WHERE id = ?'),
      issueHour: this.db.prepare('UPDATE issue_hours SET count = count - 1 WHERE issue_id = ? AND hour = ?'),
      projectHour: this.db.prepare('UPDATE project_hours SET count = count - 1 WHERE project_id = ? AND hour = ?'),
      issueTag: this.db.prepare('UPDATE issue_tag_values SET count = count - 1 WHERE issue_id = ? AND value_id = ?'),
      tagHour: this.db.prepare('UPDATE tag_value_hours SET count = count - 1 WHERE value_id = ? AND hour = ?'),
    };
    const deleteEvent = this.db.prepare('DELETE FROM events WHERE row = ?');
    const blank = this.db.prepare("UPDATE events SET project_id = 0, issue_id = 0, event_id = ?, trace_id = NULL, payload = x'', user_hash = NULL WHERE row = ?");
    const issues = new Set<number>();
    const values = new Set<number>();
    for (const event of events) {
      const valueIds = deleteTags.all(event.row) as number[];
      for (const valueId of valueIds) values.add(valueId);
      if (adjustCounts) {
        const hour = Math.floor(event.timestamp / HOUR);
        dec.issue.run(event.issue_id);
        dec.issueHour.run(event.issue_id, hour);
        dec.projectHour.run(projectId, hour);
        for (const valueId of valueIds) {
          dec.issueTag.run(event.issue_id, valueId);
          dec.tagHour.run(valueId, hour);
        }
        issues.add(event.issue_id);
      }
      if (event.row === newest) blank.run(randomBytes(16), event.row);
      else deleteEvent.run(event.row);
    }
    if (adjustCounts) {
      for (const issueId of issues) {
        this.db.prepare('DELETE FROM issue_hours WHERE issue_id = ? AND count <= 0').run(issueId);
        this.db.prepare('DELETE FROM issue_tag_values WHERE issue_id = ? AND count <= 0').run(issueId);
      }
      this.db.prepare('DELETE FROM project_hours WHERE project_id = ? AND count <= 0').run(projectId);
      this.db.prepare('DELETE FROM tag_value_hours WHERE count <= 0 AND value_id IN (SELECT id FROM tag_values WHERE project_id = ?)').run(projectId);
    }
    this.forgetUsersOfUnusedValues(values);
  }

  /**
   * Tag values no event carries any more (their last events deleted or aged out) leave the
   * distinct-user rollup: otherwise their rows in tag_value_users outlive the events for good,
   * a hashed user key kept past retention. One primary-key probe of event_tags per value.
   */
  private forgetUsersOfUnusedValues(values: Set<number>): void {
    const used = this.db.prepare('SELECT 1 FROM event_tags WHERE value_id = ? LIMIT 1').pluck();
    const forget = this.db.prepare('DELETE FROM tag_value_users WHERE value_id = ?');
    for (const valueId of values) {
      if (used.get(valueId) === undefined && forget.run(valueId).changes > 0) this.valueUsersForgotten = true;
    }
  }

  /**
   * Deletes an issue's rows, with the issues merged into it (docs/triage.md): their events were moved
   * here and are gone with it, and left behind they would send their fingerprint's next events to
   * the deleted issue; without them the next event makes a new issue.
   */
  private removeIssueRows(issueId: number): void {
    const merged = this.db.prepare('SELECT id FROM issues WHERE merged_into = ?').pluck().all(issueId) as number[];
    for (const id of [...merged, issueId]) {
      for (const table of ['issue_tag_values', 'issue_users', 'issue_accounts', 'issue_hours', 'issue_activity', 'alert_rule_issues']) {
        this.db.prepare(`DELETE FROM ${table} WHERE issue_id = ?`).run(id);
      }
      this.db.prepare('DELETE FROM issues WHERE id = ?').run(id);
    }
  }

  private removeReplays(rows: number[]): void {
    for (const row of rows) {
      this.db.prepare('DELETE FROM replay_segments WHERE replay_row = ?').run(row);
      this.db.prepare('DELETE FROM replay_errors WHERE replay_row = ?').run(row);
      this.db.prepare('DELETE FROM replays WHERE row = ?').run(row);
    }
  }

  /** Blanked rows (see the file comment) that are no longer the newest. */
  private deleteStaleBlanks(): void {
    this.db.prepare('DELETE FROM events WHERE project_id = 0 AND row < (SELECT max(row) FROM events)').run();
  }
}
