import { QueueDepthMeter } from './writer-load.js';

/** Milliseconds from a monotonic source; injected so the policy's tests need no real sleeps. */
export interface Clock {
  now(): number;
}

export const monotonicClock: Clock = { now: () => performance.now() };

export interface ApplySettings {
  /**
   * Trigger 1, idle slices. Derived rows are applied in slices while no request is waiting, once
   * the oldest has waited this long: gathering first is what keeps their page writes cheap
   * (DerivedRows), and applying them between batches instead of inside one is what keeps acks from
   * waiting 30-50 ms behind an apply. A server that goes quiet so ends up exact on disk without any
   * read asking. Also the pause before a slice that failed is tried again.
   */
  idleAfterMs: number;
  /**
   * A slice is half of what is gathered, and at least this many events. Each slice's commit costs
   * ~15-20 ms here whatever its size (it rewrites the pages that every few dozen events touch), so
   * small slices would keep the writer busy most of the time and fall behind when the machine is
   * slow; halves catch up with any backlog in a few slices, each far shorter than one bulk apply.
   */
  sliceMinEvents: number;
  /**
   * Trigger 2, deep-queue bulk. Slices cost more per event than one bulk apply (each commit
   * rewrites the pages they share), so a writer that found at least this many requests waiting per
   * batch (QueueDepthMeter) applies in bulk instead: with a batch once trigger 3 says so, or all at
   * once after `quietMs` without one. Measured here: a median of 1-4 per batch at 2,500 events/s,
   * 7-20 at the most the server takes.
   */
  deepQueue: number;
  quietMs: number;
  /**
   * Trigger 3, the flush policy: inside a batch's own transaction, everything gathered is applied
   * once the oldest rows are this old or this many events wait (docs/benchmarks.md: gathering over
   * 250 ms took the WAL per 25-event commit from 1.84 to 0.62 MB).
   */
  batchAfterMs: number;
  batchAfterEvents: number;
  /**
   * While reads come (a flush asked within the last `readActiveMs`), trigger 3 also fires once
   * `readBacklogEvents` events wait. At 1, every batch applies its rows with itself while someone
   * reads, so its answer says they are applied (`appliedBefore`) and a read after it needs no flush
   * at all. Under overload a read's flush had found 150-330 events gathered and took 30-90 ms to
   * apply them on the loaded machine; with a backlog of 64 the issue list's p99 was 54-67 ms on
   * the quiet machine, with 1: 42-51 ms (p50 9 -> 5 ms), for 3-4 % fewer events accepted while
   * reads come. Without readers the rows keep gathering for the full `batchAfterMs`, which is what
   * ingest throughput wants.
   */
  readActiveMs: number;
  readBacklogEvents: number;
}

export const DEFAULT_APPLY_SETTINGS: ApplySettings = {
  idleAfterMs: 150,
  sliceMinEvents: 128,
  deepQueue: 6,
  quietMs: 20,
  batchAfterMs: 250,
  batchAfterEvents: 5000,
  readActiveMs: 5000,
  readBacklogEvents: 1,
};

/** The derived rows gathered but not applied: how many events' worth, and how long the oldest waited. */
export interface Gathered {
  events: number;
  ageMs: number;
}

/** What the writer thread does once no request is left to write. */
export type NextApply =
  | { kind: 'none' }
  /** Deep queue: everything at once, if no batch came in `inMs`. */
  | { kind: 'all-when-quiet'; inMs: number }
  /** Shallow queue: one slice (ApplyPolicy.sliceEvents) in `inMs` (0: after the event loop's next turn), unless a request waits. */
  | { kind: 'slice'; inMs: number };

/**
 * When the rows derived from stored events (tag rows, counts, rollups) are applied: the one place
 * that decides, for the four triggers. Inside a batch's transaction (`withBatch`): trigger 4, a read
 * asked (it must see every acknowledged event counted), and trigger 3, the flush policy. Between
 * batches (`afterDrain`, `nextSlice`): trigger 2, deep-queue bulk, and trigger 1, idle slices.
 * write-path/README.md tells the whole state machine.
 */
export class ApplyPolicy {
  readonly clock: Clock;
  readonly settings: ApplySettings;
  private readonly queue: QueueDepthMeter;
  private lastReadAt = Number.NEGATIVE_INFINITY;

  constructor(options: { clock?: Clock; settings?: Partial<ApplySettings> } = {}) {
    this.clock = options.clock ?? monotonicClock;
    this.settings = { ...DEFAULT_APPLY_SETTINGS, ...options.settings };
    this.queue = new QueueDepthMeter(this.clock);
  }

  /** Counts a batch of `requests` requests just written (the queue depth meter's input). */
  batchWritten(requests: number): void {
    this.queue.add(requests);
  }

  /** A read asked for a flush: reads are active for the next `readActiveMs`. */
  readAsked(): void {
    this.lastReadAt = this.clock.now();
  }

  /** Whether the queue is deep: the median requests per batch over the last second. */
  get deepQueue(): boolean {
    return this.queue.depth >= this.settings.deepQueue;
  }

  /** Triggers 4 and 3: apply everything gathered (this batch's rows included) in the batch's transaction? */
  withBatch(gathered: Gathered, readAsked: boolean): boolean {
    if (readAsked) return true;
    if (gathered.events >= this.settings.batchAfterEvents || gathered.ageMs >= this.settings.batchAfterMs) return true;
    const readsActive = this.clock.now() - this.lastReadAt < this.settings.readActiveMs;
    return readsActive && gathered.events >= this.settings.readBacklogEvents;
  }

  /** Triggers 2 and 1: what to do once the queue has drained. */
  afterDrain(gathered: Gathered): NextApply {
    if (gathered.events === 0) return { kind: 'none' };
    if (this.deepQueue) return { kind: 'all-when-quiet', inMs: this.settings.quietMs };
    return this.nextSlice(gathered);
  }

  /** Trigger 1 alone: when the next slice is due (after a slice, slicing goes on until nothing is left). */
  nextSlice(gathered: Gathered): NextApply {
    if (gathered.events === 0) return { kind: 'none' };
    return { kind: 'slice', inMs: Math.max(0, this.settings.idleAfterMs - gathered.ageMs) };
  }

  /** How many events' rows one slice applies (whole journal batches; at least one). */
  sliceEvents(pendingEvents: number): number {
    return Math.max(this.settings.sliceMinEvents, Math.ceil(pendingEvents / 2));
  }

  /** The pause before a slice that failed (e.g. the database busy beyond busy_timeout) is tried again. */
  get retryAfterMs(): number {
    return this.settings.idleAfterMs;
  }
}
