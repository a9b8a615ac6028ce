import type Database from 'better-sqlite3';
import { BatchCounts } from './batch-counts.js';
import { userHash } from '../../user-hash.js';

const HOUR_MS = 3_600_000;

/** What one stored event contributes to the rows derived from it. */
export interface DerivedEntry {
  projectId: number;
  issueId: number;
  row: number;
  timestamp: number;
  release: string | null;
  userKey: string | null;
  accountKey: string | null;
  /** Tag value ids counted per issue. */
  tags: number[];
  /** Identity tag value ids (user.*, account.*): indexed on the event, not counted per issue. */
  identityTags: number[];
}

type JournalRecord = [number, number, number, number, string | null, string | null, string | null, number[], number[]];

export function encodeJournal(entries: readonly DerivedEntry[]): string {
  return JSON.stringify(
    entries.map((e): JournalRecord => [e.projectId, e.issueId, e.row, e.timestamp, e.release, e.userKey, e.accountKey, e.tags, e.identityTags]),
  );
}

export function decodeJournal(text: string): DerivedEntry[] {
  return (JSON.parse(text) as JournalRecord[]).map(([projectId, issueId, row, timestamp, release, userKey, accountKey, tags, identityTags]) => ({
    projectId, issueId, row, timestamp, release, userKey, accountKey, tags, identityTags,
  }));
}

/**
 * Rows derived from events (event_tags, per-issue tag counts, hourly counts, distinct users and
 * accounts, issue counters) gathered over many write batches and applied together.
 *
 * Why: each of these rows lands on a different B-tree page, and a commit writes every page it
 * dirtied to the WAL in full. Applied per 25-event batch they cost ~70 KB of WAL per event; gathered
 * over a few hundred milliseconds, one page write serves hundreds of events. The event rows
 * themselves are still committed before the ack; what is gathered here is also written, compactly,
 * to derived_journal in the same transaction as its events, so a crash loses nothing: the journal
 * is replayed on start (EventWriter.loadPending).
 *
 * Rows are kept per journal batch, oldest first, so they can be applied a slice at a time while
 * the writer has nothing else to do: a slice is whole journal batches, whose journal records are
 * deleted in the same transaction.
 */
export class DerivedRows {
  private groups: Array<{ batch: number; entries: DerivedEntry[]; addedAt: number; firstWriteId: number }> = [];
  private count = 0;

  /** Events gathered and not yet applied. */
  get size(): number {
    return this.count;
  }

  /** How long the oldest gathered batch has waited, in ms of the clock `now` comes from (ApplyPolicy.clock). */
  ageMs(now: number): number {
    return this.groups.length === 0 ? 0 : now - this.groups[0]!.addedAt;
  }

  /**
   * The derived rows of one journal batch (derived_journal.batch), in journal order.
   * `firstWriteId`: the writer-client id of the first request in it (0 when unknown: a journal
   * replayed after a restart or a rollback), so `appliedBefore` can say which acks are counted.
   */
  addBatch(batch: number, entries: DerivedEntry[], now: number, firstWriteId = 0): void {
    this.groups.push({ batch, entries, addedAt: now, firstWriteId });
    this.count += entries.length;
  }

  /**
   * Requests with an id below this have every derived row applied, as far as what is gathered
   * knows (Infinity when nothing is gathered; 0 when the oldest batch's requests are unknown).
   */
  get appliedBefore(): number {
    return this.groups.length === 0 ? Number.POSITIVE_INFINITY : this.groups[0]!.firstWriteId;
  }

  /** The oldest journal batches holding at most `maxEvents` events (always at least one batch). */
  oldest(maxEvents: number): DerivedSlice {
    let events = 0;
    let taken = 0;
    while (taken < this.groups.length && (taken === 0 || events + this.groups[taken]!.entries.length <= maxEvents)) {
      events += this.groups[taken]!.entries.length;
      taken++;
    }
    const groups = this.groups.slice(0, taken);
    return new DerivedSlice(
      groups.map((g) => g.batch),
      groups.flatMap((g) => g.entries),
    );
  }

  /** Forgets a slice just applied: the oldest `slice.batches.length` batches. */
  drop(slice: DerivedSlice): void {
    this.groups.splice(0, slice.batches.length);
    this.count -= slice.size;
  }
}

/** Whole journal batches of gathered rows, applied in one transaction. */
export class DerivedSlice {
  constructor(
    readonly batches: readonly number[],
    private readonly entries: readonly DerivedEntry[],
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Writes the slice's rows; the caller's transaction makes it atomic with the journal's deletion. */
  apply(statements: DerivedStatements): void {
    const counts = this.counts();
    this.insertEventTags(statements);
    this.insertDistinct(statements, counts);
    this.insertValueUsers(statements);
    statements.applyCounts(counts);
  }

  private counts(): BatchCounts {
    const counts = new BatchCounts();
    for (const entry of this.entries) {
      const hour = Math.floor(entry.timestamp / HOUR_MS);
      for (const valueId of entry.tags) {
        counts.issueTag(entry.issueId, valueId, entry.timestamp);
        counts.tagHour(valueId, hour);
      }
      for (const valueId of entry.identityTags) counts.tagHour(valueId, hour);
      counts.issueHour(entry.issueId, hour);
      counts.projectHour(entry.projectId, hour);
      counts.issue(entry.issueId, entry.timestamp, entry.release, entry.row);
    }
    return counts;
  }

  private insertEventTags(s: DerivedStatements): void {
    // Grouped by value id so consecutive inserts land on the same page of (value_id, event_row).
    const rowsByValue = new Map<number, number[]>();
    for (const entry of this.entries) {
      for (const list of [entry.tags, entry.identityTags]) {
        for (const valueId of list) {
          const rows = rowsByValue.get(valueId);
          if (rows) rows.push(entry.row);
          else rowsByValue.set(valueId, [entry.row]);
        }
      }
    }
    for (const valueId of [...rowsByValue.keys()].sort((a, b) => a - b)) {
      for (const row of rowsByValue.get(valueId)!) s.insertEventTag.run(valueId, row);
    }
  }

  /**
   * Distinct (tag value, user) pairs, deduplicated in memory and inserted in key order so
   * consecutive inserts share pages. Same hash and same condition as events.user_hash, so these
   * counts equal count(DISTINCT user_hash) over the value's events.
   */
  private insertValueUsers(s: DerivedStatements): void {
    const pairs = new Map<number, Set<number>>();
    for (const entry of this.entries) {
      if (!entry.userKey) continue;
      const hash = userHash(entry.userKey);
      // Identity values (user.*, account.*) are left out: their distributions keep the event scan.
      for (const valueId of entry.tags) {
        const users = pairs.get(valueId);
        if (users) users.add(hash);
        else pairs.set(valueId, new Set([hash]));
      }
    }
    for (const valueId of [...pairs.keys()].sort((a, b) => a - b)) {
      for (const hash of [...pairs.get(valueId)!].sort((a, b) => a - b)) {
        if (s.valueUsersSeen.has(valueId, hash)) continue;
        s.insertValueUser.run(valueId, hash);
        s.valueUsersSeen.add(valueId, hash);
      }
    }
  }

  private insertDistinct(s: DerivedStatements, counts: BatchCounts): void {
    const seen = new Set<string>();
    for (const entry of this.entries) {
      const delta = counts.issues.get(entry.issueId)!;
      if (entry.userKey !== null) {
        const key = `u${entry.issueId}\u0000${entry.userKey}`;
        if (!seen.has(key)) {
          seen.add(key);
          delta.newUsers += s.insertIssueUser.run(entry.issueId, entry.userKey).changes;
        }
      }
      if (entry.accountKey !== null) {
        const key = `a${entry.issueId}\u0000${entry.accountKey}`;
        if (!seen.has(key)) {
          seen.add(key);
          delta.newAccounts += s.insertIssueAccount.run(entry.issueId, entry.accountKey).changes;
        }
      }
    }
  }
}

/**
 * (tag value, user) pairs known to be in tag_value_users, so a returning user costs no insert: the
 * inserts added 25-38 µs of writer CPU per event in process (13 tag values an event), most of them
 * for pairs already stored. Rows are never deleted, so a pair seen stays true; the writer clears
 * this after any rollback (pairs added in it were not committed). Bounded: cleared when full.
 */
export class ValueUsersSeen {
  private readonly byValue = new Map<number, Set<number>>();
  private count = 0;

  constructor(private readonly limit = 400_000) {}

  has(valueId: number, hash: number): boolean {
    return this.byValue.get(valueId)?.has(hash) ?? false;
  }

  add(valueId: number, hash: number): void {
    if (this.count >= this.limit) this.clear();
    const users = this.byValue.get(valueId);
    if (users) users.add(hash);
    else this.byValue.set(valueId, new Set([hash]));
    this.count++;
  }

  clear(): void {
    this.byValue.clear();
    this.count = 0;
  }
}

export interface DerivedStatements {
  insertEventTag: Database.Statement<[number, number]>;
  insertValueUser: Database.Statement<[number, number]>;
  valueUsersSeen: ValueUsersSeen;
  insertIssueUser: Database.Statement<[number, string]>;
  insertIssueAccount: Database.Statement<[number, string]>;
  applyCounts(counts: BatchCounts): void;
}
