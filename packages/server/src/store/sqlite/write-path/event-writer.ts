import { userHash } from '../../user-hash.js';
import type Database from 'better-sqlite3';
import type { DigestedEvent, RawItem, WriteOutcome } from '../../types.js';
import { IDENTITY_TAG_KEYS } from '../../types.js';
import type { BatchCounts } from './batch-counts.js';
import { DerivedRows, decodeJournal, encodeJournal, ValueUsersSeen, type DerivedEntry, type DerivedStatements } from './derived-rows.js';
import { encodePayload, storedPayload } from '../../payload-codec.js';
import type { TelemetryBatch } from '../../trace-types.js';
import { TraceWriter } from './trace-writer.js';
import { ApplyPolicy } from './apply-policy.js';

const DAY_MS = 86_400_000;
const TAG_CACHE_LIMIT = 200_000;

/** An event as the writer takes it: payload as received, or already encoded by encodeReceivedEvent. */
export type WriterEvent = Omit<DigestedEvent, 'payload'> & { payload: DigestedEvent['payload'] | Uint8Array };

const hexToBlob = (hex: string | null) => (hex ? Buffer.from(hex, 'hex') : null);

/** The issue an event is counted in, and the issue of its own fingerprint when that was merged away. */
interface IssueTarget {
  issueId: number;
  origin: number | null;
}

/**
 * Writes events, their issues and interned tag values in one transaction per batch, and the rows
 * derived from them (event tags, per-issue counts, hourly counts, distinct users) through
 * DerivedRows, journaled in that same transaction. Runs on the single writer connection, so lookups
 * see every earlier write and need no locking beyond the transaction.
 */
export class EventWriter {
  private readonly tagIds = new Map<string, number>();
  private readonly stmt;
  private readonly traces: TraceWriter;
  private pending = new DerivedRows();
  private readonly derivedStatements: DerivedStatements;

  constructor(
    private readonly db: Database.Database,
    private readonly policy: ApplyPolicy = new ApplyPolicy(),
  ) {
    this.traces = new TraceWriter(db);
    this.stmt = {
      // A merged fingerprint's events go to the issue it was merged into (docs/triage.md).
      findIssue: db.prepare<[number, string, string], { id: number; merged_into: number | null }>(
        'SELECT id, merged_into FROM issues WHERE project_id = ? AND grouping_version = ? AND fingerprint = ?',
      ),
      insertIssue: db.prepare(
        `INSERT INTO issues (project_id, fingerprint, grouping_version, title, culprit, type, level,
           first_seen, last_seen, first_release, last_release)
         VALUES (@projectId, @fingerprint, @groupingVersion, @title, @culprit, @type, @level,
           @timestamp, @timestamp, @release, @release)`,
      ),
      // The issue's history (docs/triage.md): where it was first seen, and each reopening by an
      // event. Written by the same transaction as the issue row or the status change they record.
      firstSeenActivity: db.prepare(
        `INSERT INTO issue_activity (project_id, issue_id, at, kind, actor_user_id, actor, data)
         VALUES (@projectId, @issueId, @timestamp, 'first_seen', NULL, '', json_object('release', @release))`,
      ),
      // Same condition as updateIssue's status change, read before it runs.
      regressionActivity: db.prepare(
        `INSERT INTO issue_activity (project_id, issue_id, at, kind, actor_user_id, actor, data)
         SELECT project_id, id, @now, 'regression', NULL, '', json_object('reason', 'event', 'release', @lastRelease)
         FROM issues WHERE id = @issueId AND status = 'resolved' AND @maxRow > status_row`,
      ),
      insertEvent: db.prepare(
        `INSERT OR IGNORE INTO events (project_id, issue_id, event_id, timestamp, received, trace_id, payload, user_hash, origin_issue_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      existingEventIssue: db.prepare<[number, Buffer], { issue_id: number }>(
        'SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?',
      ),
      internTag: db.prepare<[number, string, string], { id: number }>(
        `INSERT INTO tag_values (project_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (project_id, key, value) DO UPDATE SET key = excluded.key RETURNING id`,
      ),
      insertEventTag: db.prepare('INSERT OR IGNORE INTO event_tags (value_id, event_row) VALUES (?, ?)'),
      insertValueUser: db.prepare('INSERT OR IGNORE INTO tag_value_users (value_id, user_hash) VALUES (?, ?)'),
      insertIssueUser: db.prepare('INSERT OR IGNORE INTO issue_users (issue_id, user_key) VALUES (?, ?)'),
      insertIssueAccount: db.prepare('INSERT OR IGNORE INTO issue_accounts (issue_id, account_key) VALUES (?, ?)'),
      upsertIssueTag: db.prepare(
        `INSERT INTO issue_tag_values (issue_id, value_id, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (issue_id, value_id) DO UPDATE SET count = count + excluded.count,
           first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
      ),
      upsertIssueHour: db.prepare(
        `INSERT INTO issue_hours (issue_id, hour, count) VALUES (?, ?, ?)
         ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + excluded.count`,
      ),
      upsertTagHour: db.prepare(
        `INSERT INTO tag_value_hours (value_id, hour, count) VALUES (?, ?, ?)
         ON CONFLICT (value_id, hour) DO UPDATE SET count = count + excluded.count`,
      ),
      upsertProjectHour: db.prepare(
        `INSERT INTO project_hours (project_id, hour, count) VALUES (?, ?, ?)
         ON CONFLICT (project_id, hour) DO UPDATE SET count = count + excluded.count`,
      ),
      // SET expressions all read the row's old values, so the status test sees the state before.
      updateIssue: db.prepare(
        `UPDATE issues SET count = count + @count, user_count = user_count + @newUsers,
           account_count = account_count + @newAccounts,
           first_seen = min(first_seen, @minTimestamp), last_seen = max(last_seen, @maxTimestamp),
           first_release = coalesce(first_release, @firstRelease),
           last_release = CASE WHEN @lastRelease IS NOT NULL AND @lastReleaseTimestamp >= last_seen
             THEN @lastRelease ELSE last_release END,
           is_regressed = CASE WHEN status = 'resolved' AND @maxRow > status_row THEN 1 ELSE is_regressed END,
           status = CASE WHEN status = 'resolved' AND @maxRow > status_row THEN 'unresolved' ELSE status END
         WHERE id = @issueId`,
      ),
      insertRaw: db.prepare(
        'INSERT INTO raw_items (project_id, type, received, event_id, trace_id, payload) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertJournal: db.prepare('INSERT INTO derived_journal (entries) VALUES (?)'),
      readJournal: db.prepare<[], { batch: number; entries: string }>('SELECT batch, entries FROM derived_journal ORDER BY batch'),
      deleteJournal: db.prepare<[string]>('DELETE FROM derived_journal WHERE batch IN (SELECT value FROM json_each(?))'),
      countItem: db.prepare(
        `INSERT INTO item_counts (project_id, type, day, count) VALUES (?, ?, ?, 1)
         ON CONFLICT (project_id, type, day) DO UPDATE SET count = count + 1`,
      ),
    };
    this.derivedStatements = {
      insertEventTag: this.stmt.insertEventTag,
      insertValueUser: this.stmt.insertValueUser,
      valueUsersSeen: new ValueUsersSeen(),
      insertIssueUser: this.stmt.insertIssueUser,
      insertIssueAccount: this.stmt.insertIssueAccount,
      applyCounts: (counts) => this.applyCounts(counts),
    };
    // Rows gathered before a crash: their events are stored; their derived rows are applied by the
    // first flush (the writer thread asks for one as it starts) or write.
    this.loadPending();
  }

  /**
   * Writes a batch in one transaction. Derived rows are gathered (DerivedRows) and applied with it
   * when the policy says so (ApplyPolicy.withBatch): always when `readAsked` (a read, or close,
   * waits for them), else once they are as old or as many as its flush policy allows. The writer
   * thread passes whether a flush came with the batch; other callers (bench, tests) leave the
   * default and so apply with every batch.
   */
  write(events: WriterEvent[], raw: RawItem[], telemetry: TelemetryBatch[] = [], readAsked = true, firstWriteId = 0): WriteOutcome[] {
    // Compressed before the transaction, so the write lock is not held meanwhile.
    const encoded = events.map((event) => ({ event, payload: storedPayload(event.payload) }));
    try {
      return this.db.transaction(() => {
        const issueIds = new Map<string, IssueTarget>();
        const added: DerivedEntry[] = [];
        const outcomes = encoded.map(({ event, payload }) => this.writeEvent(event, payload, issueIds, added));
        const now = this.policy.clock.now();
        if (added.length > 0) this.pending.addBatch(Number(this.stmt.insertJournal.run(encodeJournal(added)).lastInsertRowid), added, now, firstWriteId);
        for (const item of raw) this.writeRaw(item);
        for (const batch of telemetry) this.traces.write(batch);
        if (this.policy.withBatch({ events: this.pending.size, ageMs: this.pending.ageMs(now) }, readAsked)) this.applyPending(Infinity);
        return outcomes;
        // IMMEDIATE: the write lock is taken (waiting out busy_timeout) before the first read. A
        // deferred transaction that reads first fails at once with SQLITE_BUSY_SNAPSHOT if another
        // connection (an API status change, the CLI) commits between its read and its first write.
      }).immediate();
    } catch (error) {
      // Ids interned inside the rolled-back transaction no longer exist, and what was gathered in
      // memory may include the failed batch: the journal is the truth.
      this.tagIds.clear();
      this.reloadPendingAfterFailure();
      throw error;
    }
  }

  /**
   * Runs `work` as one IMMEDIATE transaction. Each write() inside it is a savepoint (better-sqlite3
   * nests transactions so), so one failed write rolls back alone; if the whole fails (its commit),
   * what was gathered in memory is rebuilt from the journal.
   */
  inOneTransaction(work: () => void): void {
    try {
      this.db.transaction(work).immediate();
    } catch (error) {
      this.tagIds.clear();
      this.reloadPendingAfterFailure();
      throw error;
    }
  }

  /**
   * A deletion removed interned tag values, or an erasure took a person out of tag_value_users:
   * neither the cached ids nor the remembered (value, user) pairs may be trusted again, or a
   * returning person would never be counted.
   */
  forgetTagIds(): void {
    this.tagIds.clear();
    this.derivedStatements.valueUsersSeen.clear();
  }

  /** Events whose derived rows are gathered but not yet applied. */
  get pendingDerived(): number {
    return this.pending.size;
  }

  /** Requests with a writer-client id below this have their derived rows applied (DerivedRows.appliedBefore). */
  get appliedBefore(): number {
    return this.pending.appliedBefore;
  }

  /** How long the oldest gathered rows have waited, in ms. */
  get pendingAgeMs(): number {
    return this.pending.ageMs(this.policy.clock.now());
  }

  /** What is gathered, as ApplyPolicy takes it. */
  get gathered(): { events: number; ageMs: number } {
    return { events: this.pending.size, ageMs: this.pendingAgeMs };
  }

  /** Applies everything gathered so far (for a read that must see it, before closing, after a crash). */
  flush(): void {
    if (this.pending.size > 0) this.applyAlone(Infinity);
  }

  /**
   * Applies the oldest gathered rows, whole journal batches of at most `maxEvents` events (at least
   * one batch), in a transaction of their own; returns how many events' rows it applied. The writer
   * thread calls this while no request is waiting, so no ack waits behind a long apply.
   */
  applyOldest(maxEvents: number): number {
    return this.pending.size > 0 ? this.applyAlone(maxEvents) : 0;
  }

  /**
   * An apply-only transaction. It commits with the connection's own synchronous level: relaxed,
   * its WAL pages would only wait for the next ack's fsync instead (measured: the acks after such a
   * slice took 12 ms instead of 3).
   */
  private applyAlone(maxEvents: number): number {
    try {
      return this.db.transaction(() => this.applyPending(maxEvents)).immediate();
    } catch (error) {
      this.reloadPendingAfterFailure();
      throw error;
    }
  }

  /** After a rollback: the journal is the truth. If even it cannot be read, the next apply finds out. */
  private reloadPendingAfterFailure(): void {
    this.derivedStatements.valueUsersSeen.clear();
    try {
      this.loadPending();
    } catch {
      // The gathered rows stay as they were; applyPending refuses batches no longer journaled.
    }
  }

  /**
   * Applies the oldest gathered rows (whole journal batches, up to `maxEvents` events) and deletes
   * the journal batches they came from, in the caller's transaction; returns how many events' rows
   * it applied. Deleting exactly those batches is what proves they were not applied already: a
   * second server on the same data directory may have replayed them (it applies every journaled
   * batch it finds). If any is gone, the transaction rolls back and the journal is read again.
   */
  private applyPending(maxEvents: number): number {
    if (this.pending.size === 0) return 0;
    const slice = this.pending.oldest(maxEvents);
    slice.apply(this.derivedStatements);
    const deleted = this.stmt.deleteJournal.run(JSON.stringify(slice.batches)).changes;
    if (deleted !== slice.batches.length) {
      throw new Error(`${slice.batches.length - deleted} journaled batches were applied by another writer; rolled back`);
    }
    this.pending.drop(slice);
    return slice.size;
  }

  /** Rebuilds the gathered rows from the journal; kept as they were if it cannot be read. */
  private loadPending(): void {
    const loaded = new DerivedRows();
    const now = this.policy.clock.now();
    for (const { batch, entries } of this.stmt.readJournal.all()) loaded.addBatch(batch, decodeJournal(entries), now);
    this.pending = loaded;
  }

  /** The issue an event is counted in, and the issue of its own fingerprint when that was merged away. */
  private issueFor(event: WriterEvent, issueIds: Map<string, IssueTarget>): IssueTarget {
    const key = `${event.projectId}\u0000${event.groupingVersion}\u0000${event.fingerprint}`;
    let target = issueIds.get(key);
    if (target === undefined) {
      const found = this.stmt.findIssue.get(event.projectId, event.groupingVersion, event.fingerprint);
      if (found === undefined) {
        target = { issueId: Number(this.stmt.insertIssue.run(event).lastInsertRowid), origin: null };
        this.stmt.firstSeenActivity.run({ projectId: event.projectId, issueId: target.issueId, timestamp: Math.round(event.timestamp), release: event.release });
      }
      else target = found.merged_into === null ? { issueId: found.id, origin: null } : { issueId: found.merged_into, origin: found.id };
      issueIds.set(key, target);
    }
    return target;
  }

  private writeEvent(event: WriterEvent, payload: Buffer, issueIds: Map<string, IssueTarget>, added: DerivedEntry[]): WriteOutcome {
    const s = this.stmt;
    const { issueId, origin } = this.issueFor(event, issueIds);
    const eventIdBlob = Buffer.from(event.eventId, 'hex');
    const inserted = s.insertEvent.run(
      event.projectId,
      issueId,
      eventIdBlob,
      event.timestamp,
      event.received,
      hexToBlob(event.traceId),
      payload,
      event.userKey ? userHash(event.userKey) : null,
      origin,
    );
    if (inserted.changes === 0) {
      const existing = s.existingEventIssue.get(event.projectId, eventIdBlob);
      return { eventId: event.eventId, issueId: existing?.issue_id ?? issueId, inserted: false };
    }
    const entry: DerivedEntry = {
      projectId: event.projectId,
      issueId,
      row: Number(inserted.lastInsertRowid),
      timestamp: event.timestamp,
      release: event.release,
      userKey: event.userKey ?? null,
      accountKey: event.accountKey ?? null,
      tags: [],
      identityTags: [],
    };
    for (const [key, value] of event.tags) {
      const valueId = this.internTag(event.projectId, key, value);
      (IDENTITY_TAG_KEYS.has(key) ? entry.identityTags : entry.tags).push(valueId);
    }
    added.push(entry);
    return { eventId: event.eventId, issueId, inserted: true };
  }

  private applyCounts(counts: BatchCounts): void {
    const s = this.stmt;
    const now = Date.now();
    for (const [issueId, delta] of counts.issues) {
      s.regressionActivity.run({ issueId, now, maxRow: delta.maxRow, lastRelease: delta.lastRelease });
      s.updateIssue.run({ issueId, ...delta, lastReleaseTimestamp: Number.isFinite(delta.lastReleaseTimestamp) ? delta.lastReleaseTimestamp : 0 });
    }
    for (const t of counts.issueTags.values()) s.upsertIssueTag.run(t.issueId, t.valueId, t.count, t.first, t.last);
    for (const h of counts.issueHours.values()) s.upsertIssueHour.run(h.issueId, h.hour, h.count);
    for (const h of counts.tagHours.values()) s.upsertTagHour.run(h.valueId, h.hour, h.count);
    for (const h of counts.projectHours.values()) s.upsertProjectHour.run(h.projectId, h.hour, h.count);
  }

  private internTag(projectId: number, key: string, value: string): number {
    const cacheKey = `${projectId}\u0000${key}\u0000${value}`;
    const cached = this.tagIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const id = this.stmt.internTag.get(projectId, key, value)!.id;
    if (this.tagIds.size >= TAG_CACHE_LIMIT) this.tagIds.clear();
    this.tagIds.set(cacheKey, id);
    return id;
  }

  private writeRaw(item: RawItem): void {
    this.stmt.countItem.run(item.projectId, item.type, Math.floor(item.received / DAY_MS));
    if (item.payload === null) return;
    this.stmt.insertRaw.run(item.projectId, item.type, item.received, item.eventId, item.traceId, encodePayload(item.payload));
  }
}
