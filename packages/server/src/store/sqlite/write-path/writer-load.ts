import { monotonicClock, type Clock } from './apply-policy.js';

/** How long a window of the meter lasts. */
const WINDOW_MS = 1000;
/** Batch sizes from this many requests up share the top bucket; the threshold is far below it. */
const BUCKETS = 64;

/**
 * How many requests the writer found waiting per batch: the median over its last full window
 * (about a second). Each batch takes every request that arrived while the last one committed, so
 * this is the writer's usual queue depth. A few per batch means it keeps up with time to spare and
 * can afford to apply derived rows in small slices between batches; many means it paces the server,
 * and applying them in bulk is what keeps throughput up (docs/benchmarks.md). The median, not the
 * mean: the one large batch that follows any stall must not read as sustained load.
 */
export class QueueDepthMeter {
  private windowStart: number;
  private sizes = new Uint32Array(BUCKETS);
  private batches = 0;
  private lastDepth = 0;

  constructor(private readonly clock: Clock = monotonicClock) {
    this.windowStart = clock.now();
  }

  /** Counts a batch of `requests` requests written just now. */
  add(requests: number): void {
    this.roll();
    this.sizes[Math.min(BUCKETS - 1, requests)]! += 1;
    this.batches += 1;
  }

  /** The median requests per batch over the last full window (0 while none has ended). */
  get depth(): number {
    this.roll();
    return this.lastDepth;
  }

  private roll(): void {
    const now = this.clock.now();
    const span = now - this.windowStart;
    if (span < WINDOW_MS) return;
    // After a pause of a whole window or more, that quiet window is the last full one: the busy
    // one before it must not make the first batches after the pause look like a deep queue.
    this.lastDepth = span >= 2 * WINDOW_MS ? 0 : this.median();
    this.sizes.fill(0);
    this.batches = 0;
    this.windowStart = now;
  }

  private median(): number {
    let seen = 0;
    for (let size = 0; size < BUCKETS; size++) {
      seen += this.sizes[size]!;
      if (seen * 2 >= this.batches && this.batches > 0) return size;
    }
    return 0;
  }
}
