/**
 * Ingest's CPU work on the main thread (envelope parsing, normalizing, scrubbing, grouping) runs in
 * slices of bounded length between turns of the event loop, instead of inside the I/O callback
 * that delivered the body.
 *
 * Why: Node runs every ready socket's callback, and the promise continuations each one starts, in
 * one phase of the event loop. Under saturated ingest a phase carried a few hundred requests'
 * digests, and /healthz, sign-in and the issue list waited behind all of them (issue 17's overload
 * bench: /healthz p99 182-253 ms, the issue list 875 ms). Queued here, the work of many requests is
 * done in the check phase, at most SLICE_MS per turn, so a request that is not ingest waits for
 * one slice, not for the whole backlog. When nothing else is waiting, slices follow each other
 * back to back and throughput is unchanged.
 */

/** The longest a slice of queued ingest work holds the event loop. */
const SLICE_MS = 8;

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class CpuSlices {
  private readonly queue: Job[] = [];
  private head = 0;
  private scheduled = false;

  /** Runs `work` synchronously in a later slice and resolves with its result (or rejects with its error). */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Jobs waiting for a slice: the depth of the main thread's ingest backlog. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.slice());
  }

  private slice(): void {
    this.scheduled = false;
    const end = performance.now() + SLICE_MS;
    // At least one job per slice, so a job longer than SLICE_MS still runs.
    do {
      const job = this.queue[this.head++]!;
      try {
        job.resolve(job.run());
      } catch (error) {
        job.reject(error);
      }
    } while (this.head < this.queue.length && performance.now() < end);
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else {
      if (this.head > 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.schedule();
    }
  }
}
