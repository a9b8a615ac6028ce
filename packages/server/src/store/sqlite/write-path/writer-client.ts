import { Worker } from 'node:worker_threads';
import type { DigestedEvent, RawItem, WriteOutcome } from '../../types.js';
import type { TelemetryBatch } from '../../trace-types.js';
import type { AlertWriteTask } from './alert-writes.js';
import type { LifecycleOp } from './lifecycle-jobs.js';
import type { WriterMessage, WriterReply } from './writer-protocol.js';

interface Waiting {
  /** Takes the writer's `batch` answer for this request (its outcomes, or an alert task's value), or a `lifecycle` reply's value. */
  resolve: (value: unknown) => void;
  /** An alert task: resolve with its value rather than its (empty) outcomes. */
  wantsValue?: true;
  reject: (error: Error) => void;
}

/**
 * The main thread's side of the writer thread. Each write is posted at once and answered when the
 * batch it joined has committed: group commit happens on the writer thread (writer-worker.ts).
 *
 * Acks never wait for derived rows (tag rows, counts, rollups), which the writer gathers across
 * batches. A read asks for them instead (`settled`), so a client that reads right after its ack
 * still sees exact counts.
 */
export class WriterClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;
  private exited = false;
  /** From the writer's latest answer: events acknowledged whose derived rows are not applied yet. */
  private pendingDerived = 0;
  /** From the writer's latest answer: write requests with a lower id have their derived rows applied. */
  private appliedBefore = Number.POSITIVE_INFINITY;
  /** The highest id of a write acknowledged so far. */
  private ackedMax = 0;
  private flushing: Promise<unknown> | null = null;

  constructor(databasePath: string) {
    const own = import.meta.url;
    const workerData = { path: databasePath };
    // The writer's garbage is short-lived (each batch's messages and rows). Left to itself V8 grew
    // its young generation to 32 MiB under sustained ingest, ~20 MiB of RSS that buys no speed:
    // measured at the same throughput and CPU per event with 12 MiB (docs/benchmarks.md).
    const resourceLimits = { maxYoungGenerationSizeMb: 12 };
    if (own.endsWith('.ts')) {
      // Run from source (tests, bench under tsx): the worker registers tsx before loading itself.
      const source = new URL('./writer-worker.ts', own).href;
      const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
      this.worker = new Worker(boot, { eval: true, workerData, resourceLimits });
    } else {
      this.worker = new Worker(new URL('./writer-worker.js', own), { workerData, resourceLimits });
    }
    this.worker.on('message', (reply: WriterReply) => {
      if (reply.kind === 'batch') this.onReply(reply);
      else if (reply.kind === 'lifecycle') this.onLifecycle(reply);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (!this.closed) this.failAll(new Error(`writer thread exited with code ${code}`));
    });
  }

  write(events: DigestedEvent[], raw: RawItem[], telemetry: TelemetryBatch[] = []): Promise<WriteOutcome[]> {
    // Payloads go to the writer as received and are compressed there (storedPayload): the thread
    // that also parses HTTP is the busier of the two (docs/benchmarks.md).
    return this.send((id) => ({ kind: 'write', id, events, raw, telemetry }));
  }

  /**
   * Runs one of the alert engine's write transactions on the writer thread (alert-writes.ts), so
   * the main thread never waits for the write lock; resolves with what the task returned.
   */
  alertWrite(task: AlertWriteTask): Promise<unknown> {
    return this.send<unknown>((id) => ({ kind: 'alerts', id, task }), true);
  }

  /**
   * Resolves once the derived rows of every write acknowledged so far are applied (at once when
   * none are pending, or when the writer's last answer says every acknowledged write's rows are:
   * `appliedBefore`). A flush already under way covers them: the writer answers in order, so any
   * write acknowledged before that flush's answer was written before it. `everything`: also the
   * rows of writes the writer committed but whose acks this thread has not seen yet (a merge must
   * not leave any keyed to the issue it empties).
   */
  async settled(everything = false): Promise<void> {
    if (this.failure || this.closed || this.pendingDerived === 0) return;
    if (!everything && this.ackedMax < this.appliedBefore) return;
    // A flush that fails leaves counts trailing; the read still runs.
    this.flushing ??= this.send((id) => ({ kind: 'flush', id }))
      .catch(() => undefined)
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  /**
   * A deletion run by the writer thread between ingest batches (lifecycle-jobs.ts); the batch
   * limit in `args` is an upper bound, the writer may take fewer rows to keep within its time target.
   */
  lifecycle<T>(op: LifecycleOp, args: unknown[]): Promise<T> {
    return this.send<T>((id) => ({ kind: 'lifecycle', id, op, args }));
  }

  private send<T = WriteOutcome[]>(message: (id: number) => WriterMessage, wantsValue?: true): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, wantsValue ? { resolve: resolve as (value: unknown) => void, reject, wantsValue } : { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(message(id));
    });
  }

  private onLifecycle(reply: Extract<WriterReply, { kind: 'lifecycle' }>): void {
    const member = this.waiting.get(reply.id);
    if (!member) return;
    this.waiting.delete(reply.id);
    if (reply.ok) member.resolve(reply.value);
    else member.reject(new Error(reply.message));
  }

  private onReply(reply: Extract<WriterReply, { kind: 'batch' }>): void {
    this.pendingDerived = reply.pendingDerived;
    this.appliedBefore = reply.appliedBefore;
    for (const result of reply.results) {
      const member = this.waiting.get(result.id);
      if (!member) continue;
      this.waiting.delete(result.id);
      if (result.ok && !member.wantsValue && result.id > this.ackedMax) this.ackedMax = result.id;
      if (result.ok) member.resolve(member.wantsValue ? result.value : result.outcomes);
      else member.reject(new Error(`write failed: ${result.message}`));
    }
  }

  private failAll(error: Error): void {
    this.failure = error;
    const members = [...this.waiting.values()];
    this.waiting.clear();
    for (const member of members) member.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.waiting.size > 0 && !this.failure) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    if (this.exited) return;
    // A thread that dies while closing never says 'closed': its exit ends the wait as well.
    const closedOrExited = new Promise<void>((resolve) => {
      this.worker.on('message', (reply: WriterReply) => reply.kind === 'closed' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage({ kind: 'close' } satisfies WriterMessage);
    await closedOrExited;
    await this.worker.terminate();
  }
}
