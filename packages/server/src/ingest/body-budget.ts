import { HttpError } from '../errors.js';

/**
 * Bytes of request bodies (after decompression) held in memory at once, across all requests.
 * Each request takes a lease as its body is read and gives it back when its answer is sent (or the
 * client goes away); a body that would pass the budget is refused with 503 + Retry-After, so a burst
 * of concurrent decompression bombs cannot take the server's memory with it. Measured before the
 * budget: 24 concurrent 150 MB bombs (all answered 413) took the server from 103 MB to 1.9 GB RSS.
 */
export class BodyMemoryBudget {
  private used = 0;
  private readonly leases = new WeakMap<object, BodyLease>();

  constructor(readonly maxBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** The lease of one request (`owner` is its raw IncomingMessage); one per request. */
  lease(owner: object): BodyLease {
    let lease = this.leases.get(owner);
    if (!lease) {
      lease = new BodyLease(this);
      this.leases.set(owner, lease);
    }
    return lease;
  }

  /** Gives back what the request holds; called once its answer is sent or it was aborted. */
  release(owner: object): void {
    this.leases.get(owner)?.close();
    this.leases.delete(owner);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export class BodyLease {
  private held = 0;
  constructor(private readonly budget: BodyMemoryBudget) {}

  /** Takes more bytes for this body; false when the budget has no room (nothing taken then). */
  take(bytes: number): boolean {
    if (!this.budget.take(bytes)) return false;
    this.held += bytes;
    return true;
  }

  close(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}

/** How long a client is asked to wait: bodies in flight are read within seconds. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

export const serverBusy = () =>
  new HttpError(503, 'server_busy', 'Too many large request bodies are being read at once; retry later', {
    'retry-after': String(BUSY_RETRY_AFTER_SECONDS),
  });
