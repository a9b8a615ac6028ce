/**
 * Counters gathered over one write batch and applied once per distinct key at its end. A busy issue
 * gets thousands of events per batch; one upsert per (issue, tag value) instead of one per event
 * is what keeps write-time aggregates cheap.
 */

export interface IssueDelta {
  count: number;
  newUsers: number;
  newAccounts: number;
  minTimestamp: number;
  maxTimestamp: number;
  firstRelease: string | null;
  lastRelease: string | null;
  lastReleaseTimestamp: number;
  /** The newest event row counted: a resolved issue reopens only for events committed after it was resolved. */
  maxRow: number;
}

export interface SpanDelta {
  count: number;
  first: number;
  last: number;
}

export class BatchCounts {
  readonly issues = new Map<number, IssueDelta>();
  readonly issueTags = new Map<string, SpanDelta & { issueId: number; valueId: number }>();
  readonly issueHours = new Map<string, { issueId: number; hour: number; count: number }>();
  readonly tagHours = new Map<string, { valueId: number; hour: number; count: number }>();
  readonly projectHours = new Map<string, { projectId: number; hour: number; count: number }>();

  issue(issueId: number, timestamp: number, release: string | null, row: number): IssueDelta {
    let delta = this.issues.get(issueId);
    if (!delta) {
      delta = { count: 0, newUsers: 0, newAccounts: 0, minTimestamp: timestamp, maxTimestamp: timestamp, firstRelease: null, lastRelease: null, lastReleaseTimestamp: -Infinity, maxRow: 0 };
      this.issues.set(issueId, delta);
    }
    delta.count++;
    delta.maxRow = Math.max(delta.maxRow, row);
    delta.minTimestamp = Math.min(delta.minTimestamp, timestamp);
    delta.maxTimestamp = Math.max(delta.maxTimestamp, timestamp);
    if (release !== null) {
      delta.firstRelease ??= release;
      if (timestamp >= delta.lastReleaseTimestamp) {
        delta.lastRelease = release;
        delta.lastReleaseTimestamp = timestamp;
      }
    }
    return delta;
  }

  issueTag(issueId: number, valueId: number, timestamp: number): void {
    const key = `${issueId}:${valueId}`;
    const entry = this.issueTags.get(key);
    if (entry) {
      entry.count++;
      entry.first = Math.min(entry.first, timestamp);
      entry.last = Math.max(entry.last, timestamp);
    } else this.issueTags.set(key, { issueId, valueId, count: 1, first: timestamp, last: timestamp });
  }

  issueHour(issueId: number, hour: number): void {
    const key = `${issueId}:${hour}`;
    const entry = this.issueHours.get(key);
    if (entry) entry.count++;
    else this.issueHours.set(key, { issueId, hour, count: 1 });
  }

  tagHour(valueId: number, hour: number): void {
    const key = `${valueId}:${hour}`;
    const entry = this.tagHours.get(key);
    if (entry) entry.count++;
    else this.tagHours.set(key, { valueId, hour, count: 1 });
  }

  projectHour(projectId: number, hour: number): void {
    const key = `${projectId}:${hour}`;
    const entry = this.projectHours.get(key);
    if (entry) entry.count++;
    else this.projectHours.set(key, { projectId, hour, count: 1 });
  }
}
