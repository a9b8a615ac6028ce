/**
 * Data lifecycle (docs/operations.md): retention, deletion, GDPR erasure, storage budgets, backup.
 * Every deleting method works in small batches the caller repeats, so no transaction holds the
 * database long enough to stall ingest (the retention loop yields between batches).
 */

/** Per-project lifecycle settings; null means "the server-wide default" (retention) or "none" (budget). */
export interface ProjectRetention {
  retentionDays: number | null;
  storageBudgetBytes: number | null;
}

/** Who a GDPR erasure is about: the SDK's `user.id` or `user.email`. */
export interface ErasureSubject {
  field: 'id' | 'email';
  value: string;
}

/** Rows removed by one batch; `more` is true when the batch was full and the caller should repeat. */
export interface DeletionBatch {
  events: number;
  /** Spans, traces, logs, replays and raw items together. */
  other: number;
  more: boolean;
}

export interface LifecycleStore {
  getProjectRetention(projectId: number): Promise<ProjectRetention>;
  setProjectRetention(projectId: number, settings: ProjectRetention): Promise<void>;
  /**
   * One batch of at most `limit` events older than `cutoffMs` (event time) with their tag rows and
   * hourly rollups, and of traces, spans, logs, replays and raw items older than it; issues whose
   * last event is older than the cutoff go too. Issue counts are lifetime counts (docs/operations.md).
   */
  purgeOlderThan(projectId: number, cutoffMs: number, limit: number): Promise<DeletionBatch>;
  /** One batch of an issue's events; the issue itself goes with the last batch. False: no such issue. */
  deleteIssueBatch(projectId: number, issueId: number, limit: number): Promise<DeletionBatch | undefined>;
  /** Deletes one event and its tag rows, and takes it out of its issue's count. */
  deleteEvent(projectId: number, eventId: string): Promise<boolean>;
  /** One batch of the project's events, replays and identity tag values about one person. */
  eraseUserBatch(projectId: number, subject: ErasureSubject, limit: number): Promise<DeletionBatch>;
  /** Approximate bytes the project's events, logs, spans and replays take (payload sizes). */
  projectStorageBytes(projectId: number): Promise<number>;
  /** The time of the project's oldest event, log, span or replay (epoch ms), null when it has none. */
  oldestDataTime(projectId: number): Promise<number | null>;
  /**
   * Gives some freed pages back to the file system where the backend does it itself (SQLite) and
   * says how many free pages are left: the caller repeats, paced, until 0 (always 0 on PostgreSQL).
   */
  reclaimSpace(): Promise<number>;
}
