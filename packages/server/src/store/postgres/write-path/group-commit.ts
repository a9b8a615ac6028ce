/**
 * Group commit for one process: the state machine of write-path/README.md. While one transaction
 * commits, calls to write() queue; when it ends, everything queued goes into the next transaction.
 * Each caller's promise settles only after the COMMIT that holds its rows returned.
 */

export interface Pending<I, O> {
  input: I;
  /** Events in this request, for the batch bound. */
  size: number;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** A transaction takes requests until it holds this many events (at least one request). */
  maxBatchEvents: number;
}

export class GroupCommit<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    /** Commits the inputs in one transaction; resolves with one output per input, in order. */
    private readonly commit: (inputs: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(input: I, size: number): Promise<O> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, size, resolve, reject });
      this.running ??= this.run();
    });
  }

  /** Requests queued or committing right now. */
  get depth(): number {
    return this.queue.length;
  }

  /** Refuses new writes and waits for the queued ones to commit. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const outputs = await this.commit(batch.map((p) => p.input));
          batch.forEach((p, i) => p.resolve(outputs[i]!));
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.isolate(batch);
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** A failed group is retried one request per transaction: one bad request fails only itself. */
  private async isolate(batch: Array<Pending<I, O>>): Promise<void> {
    for (const p of batch) {
      try {
        p.resolve((await this.commit([p.input]))[0]!);
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private take(): Array<Pending<I, O>> {
    let events = 0;
    let taken = 0;
    while (taken < this.queue.length && (taken === 0 || events + this.queue[taken]!.size <= this.options.maxBatchEvents)) {
      events += this.queue[taken]!.size;
      taken++;
    }
    return this.queue.splice(0, taken);
  }
}
