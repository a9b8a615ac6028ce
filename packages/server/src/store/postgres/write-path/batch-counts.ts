/**
 * Counters gathered over one transaction's events and applied once per distinct key, in key order.
 * One upsert per (issue, tag value) instead of one per event keeps write-time aggregates cheap, and
 * taking row locks in key order is what keeps two processes adding to the same rows from
 * deadlocking (every transaction locks the rows it shares with another in the same order).
 */

export interface IssueDelta {
  projectId: number;
  count: number;
  minTimestamp: number;
  maxTimestamp: number;
  firstRelease: string | null;
  lastRelease: string | null;
  lastReleaseTimestamp: number;
}

interface Counted {
  count: number;
  first: number;
  last: number;
}

/** What one stored event contributes to the rows derived from it. */
export interface CountedEvent {
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

const HOUR_MS = 3_600_000;

function bump<K>(map: Map<string, K & Counted>, key: string, make: () => K, timestamp: number): void {
  const entry = map.get(key);
  if (entry) {
    entry.count++;
    entry.first = Math.min(entry.first, timestamp);
    entry.last = Math.max(entry.last, timestamp);
  } else map.set(key, { ...make(), count: 1, first: timestamp, last: timestamp });
}

/** Sorted by the numeric and text parts of a key, the same order in every process. */
function sorted<T>(map: Map<string, T>, order: (a: T, b: T) => number): T[] {
  return [...map.values()].sort(order);
}

export class BatchCounts {
  readonly issues = new Map<number, IssueDelta>();
  private readonly issueTags = new Map<string, Counted & { projectId: number; issueId: number; valueId: number }>();
  private readonly issueHours = new Map<string, Counted & { projectId: number; issueId: number; hour: number }>();
  private readonly tagHours = new Map<string, Counted & { projectId: number; valueId: number; hour: number }>();
  private readonly projectHours = new Map<string, Counted & { projectId: number; hour: number }>();
  private readonly users = new Map<string, { projectId: number; issueId: number; key: string }>();
  private readonly accounts = new Map<string, { projectId: number; issueId: number; key: string }>();

  constructor(events: readonly CountedEvent[]) {
    for (const e of events) this.add(e);
  }

  private add(e: CountedEvent): void {
    const hour = Math.floor(e.timestamp / HOUR_MS);
    for (const valueId of e.tags) {
      bump(this.issueTags, `${e.projectId}:${e.issueId}:${valueId}`, () => ({ projectId: e.projectId, issueId: e.issueId, valueId }), e.timestamp);
      bump(this.tagHours, `${e.projectId}:${valueId}:${hour}`, () => ({ projectId: e.projectId, valueId, hour }), e.timestamp);
    }
    for (const valueId of e.identityTags) {
      bump(this.tagHours, `${e.projectId}:${valueId}:${hour}`, () => ({ projectId: e.projectId, valueId, hour }), e.timestamp);
    }
    bump(this.issueHours, `${e.projectId}:${e.issueId}:${hour}`, () => ({ projectId: e.projectId, issueId: e.issueId, hour }), e.timestamp);
    bump(this.projectHours, `${e.projectId}:${hour}`, () => ({ projectId: e.projectId, hour }), e.timestamp);
    if (e.userKey !== null) this.users.set(`${e.issueId}\u0000${e.userKey}`, { projectId: e.projectId, issueId: e.issueId, key: e.userKey });
    if (e.accountKey !== null) this.accounts.set(`${e.issueId}\u0000${e.accountKey}`, { projectId: e.projectId, issueId: e.issueId, key: e.accountKey });
    let delta = this.issues.get(e.issueId);
    if (!delta) {
      delta = { projectId: e.projectId, count: 0, minTimestamp: e.timestamp, maxTimestamp: e.timestamp, firstRelease: null, lastRelease: null, lastReleaseTimestamp: -Infinity };
      this.issues.set(e.issueId, delta);
    }
    delta.count++;
    delta.minTimestamp = Math.min(delta.minTimestamp, e.timestamp);
    delta.maxTimestamp = Math.max(delta.maxTimestamp, e.timestamp);
    if (e.release !== null) {
      delta.firstRelease ??= e.release;
      if (e.timestamp >= delta.lastReleaseTimestamp) {
        delta.lastRelease = e.release;
        delta.lastReleaseTimestamp = e.timestamp;
      }
    }
  }

  issueTagRows() {
    return sorted(this.issueTags, (a, b) => a.projectId - b.projectId || a.issueId - b.issueId || a.valueId - b.valueId);
  }
  issueHourRows() {
    return sorted(this.issueHours, (a, b) => a.projectId - b.projectId || a.issueId - b.issueId || a.hour - b.hour);
  }
  tagHourRows() {
    return sorted(this.tagHours, (a, b) => a.projectId - b.projectId || a.valueId - b.valueId || a.hour - b.hour);
  }
  projectHourRows() {
    return sorted(this.projectHours, (a, b) => a.projectId - b.projectId || a.hour - b.hour);
  }
  /** Distinct (issue, user) and (issue, account) pairs; text compared by code unit, like ORDER BY ... COLLATE "C" for ASCII. */
  distinctRows(kind: 'users' | 'accounts') {
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return sorted(kind === 'users' ? this.users : this.accounts, (a, b) => a.projectId - b.projectId || a.issueId - b.issueId || byText(a.key, b.key));
  }
  issueRows() {
    return [...this.issues.entries()].sort((a, b) => a[0] - b[0]);
  }
}
