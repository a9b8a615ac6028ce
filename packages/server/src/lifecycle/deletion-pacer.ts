/**
 * How the SQLite writer thread paces deletions (retention, issue deletion, erasure) between ingest
 * batches (docs/operations.md#retention). A deletion batch holds the only write lock for its whole
 * transaction, commit included, so an ingest request arriving meanwhile waits for it: batches are
 * sized to a time target rather than a row count, run only while no request waits, and wait while
 * the writer's queue is deep, unless that has gone on so long that the purge would never finish.
 *
 * Measured on the retention bench data set (16 KiB pages, ~17 tag rows per event): a batch costs
 * ~4 ms of fixed work plus its commit, which writes every page it touched to the WAL; 50 old events
 * took ~9 ms, 200 ~28 ms (docs/benchmarks.md), so a fixed 500 held the lock for ~100 ms.
 */
import { monotonicClock, type Clock } from '../store/sqlite/write-path/apply-policy.js';

export interface PacerSettings {
  /** How long one deletion batch may hold the write lock, commit included. */
  targetMs: number;
  /** Rows of the first batch, before any has been timed. */
  startRows: number;
  /** Never fewer rows than this per batch, however slow the last one was. */
  minRows: number;
  /** How long a batch waits while the writer's queue is deep, before it looks again. */
  deepQueueWaitMs: number;
  /** After waiting this long for a shallow queue, a batch of minRows runs anyway. */
  maxDeferMs: number;
}

export const DEFAULT_PACER_SETTINGS: PacerSettings = { targetMs: 20, startRows: 50, minRows: 10, deepQueueWaitMs: 100, maxDeferMs: 2000 };

/** What the writer thread knows about ingest when a deletion batch is due. */
export interface IngestPressure {
  /** A request is waiting on the writer's port right now. */
  waiting: boolean;
  /** The writer's queue depth meter reads deep (ApplyPolicy.deepQueue). */
  deepQueue: boolean;
}

export type PacerDecision = { kind: 'run'; rows: number } | { kind: 'wait'; ms: number } | { kind: 'yield' };

export class DeletionPacer {
  readonly settings: PacerSettings;
  private rows: number;
  private deferredSince: number | null = null;

  constructor(
    private readonly clock: Clock = monotonicClock,
    settings: Partial<PacerSettings> = {},
  ) {
    this.settings = { ...DEFAULT_PACER_SETTINGS, ...settings };
    this.rows = this.settings.startRows;
  }

  /**
   * Whether the next batch (asked for at most `requested` rows) runs now and how large it is:
   * a waiting request goes first (`yield`: write it, then ask again), a deep queue makes it wait,
   * for at most maxDeferMs in all; then it runs with the fewest rows.
   */
  next(requested: number, pressure: IngestPressure): PacerDecision {
    if (pressure.waiting) return { kind: 'yield' };
    if (pressure.deepQueue) {
      const now = this.clock.now();
      this.deferredSince ??= now;
      if (now - this.deferredSince < this.settings.maxDeferMs) return { kind: 'wait', ms: this.settings.deepQueueWaitMs };
      this.deferredSince = null;
      return { kind: 'run', rows: Math.max(1, Math.min(requested, this.settings.minRows)) };
    }
    this.deferredSince = null;
    return { kind: 'run', rows: Math.max(1, Math.min(requested, this.rows)) };
  }

  /**
   * After a batch of `rows` rows (asked for; fewer may have been found) that took `elapsedMs`:
   * the next is scaled toward the time target, by at most half or double at a step so one slow
   * commit (a checkpoint, a cold cache) does not swing it.
   */
  record(rows: number, elapsedMs: number): void {
    if (rows <= 0) return;
    const ideal = elapsedMs <= 0 ? rows * 2 : Math.round((rows * this.settings.targetMs) / elapsedMs);
    const bounded = Math.min(rows * 2, Math.max(Math.floor(rows / 2), ideal));
    this.rows = Math.max(this.settings.minRows, bounded);
  }

  /** The row count the next unhurried batch asks for. */
  get nextRows(): number {
    return this.rows;
  }
}
