import { Worker } from 'node:worker_threads';
import type { DigestedEvent, RawItem, WriteOutcome } from '../types.js';
import type { TelemetryBatch } from '../trace-types.js';
import type { WriterEvent } from './event-writer.js';

export type WriterRequest =
  | { kind: 'write'; id: number; events: WriterEvent[]; raw: RawItem[]; telemetry: TelemetryBatch[] }
  /** Apply the derived rows gathered so far (DerivedRows) in a transaction of their own. */
  | { kind: 'flush'; id: number };
export type WriterResponse =
  /** pendingDerived: events whose derived rows are gathered but not yet applied. */
  | { id: number; ok: true; outcomes: WriteOutcome[]; pendingDerived: number }
  | { id: number; ok: false; message: string; pendingDerived: number };

interface Waiting {
  events: WriterEvent[];
  raw: RawItem[];
  telemetry: TelemetryBatch[];
  resolve: (outcomes: WriteOutcome[]) => void;
  reject: (error: Error) => void;
}

/** At most this many events go into one transaction; larger backlogs are split. */
const MAX_BATCH_EVENTS = 2000;

/**
 * Group commit: while one batch is being written, new requests wait; when it commits, everything
 * that arrived meanwhile goes out as the next single transaction. Under load the batch grows by
 * itself and the fsync cost is shared; when idle a request is written at once.
 */
export class WriterClient {
  private readonly worker: Worker;
  private waiting: Waiting[] = [];
  /** The batch being written, or, with `outcomes`, committed and waiting for its derived rows. */
  private inFlight: { id: number; members: Waiting[]; outcomes?: WriteOutcome[] } | null = null;
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;
  private exited = false;

  constructor(databasePath: string) {
    const own = import.meta.url;
    const workerData = { path: databasePath };
    if (own.endsWith('.ts')) {
      // Run from source (tests, bench under tsx): the worker registers tsx before loading itself.
      const source = new URL('./writer-worker.ts', own).href;
      const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
      this.worker = new Worker(boot, { eval: true, workerData });
    } else {
      this.worker = new Worker(new URL('./writer-worker.js', own), { workerData });
    }
    this.worker.on('message', (message: WriterResponse | 'closed') => {
      if (message !== 'closed') this.settle(message);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (!this.closed) this.failAll(new Error(`writer thread exited with code ${code}`));
    });
  }

  write(events: DigestedEvent[], raw: RawItem[], telemetry: TelemetryBatch[] = []): Promise<WriteOutcome[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('store is closed'));
    // Payloads go to the writer as JSON text and are compressed there (storedPayload): with derived
    // rows gathered across batches the writer thread is no longer the heavier of the two, and
    // moving ~30 µs per event off the thread that also parses HTTP balances them (docs/benchmarks.md).
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, raw, telemetry, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    const members: Waiting[] = [];
    let count = 0;
    while (this.waiting.length > 0 && (members.length === 0 || count + this.waiting[0]!.events.length <= MAX_BATCH_EVENTS)) {
      const next = this.waiting.shift()!;
      members.push(next);
      count += next.events.length;
    }
    const id = this.nextId++;
    this.inFlight = { id, members };
    const request: WriterRequest = {
      kind: 'write',
      id,
      events: members.flatMap((m) => m.events),
      raw: members.flatMap((m) => m.raw),
      telemetry: members.flatMap((m) => m.telemetry),
    };
    this.worker.postMessage(request);
  }

  /**
   * A committed batch is answered at once while more work is queued: the writer gathers derived
   * rows across busy batches. When nothing else is queued the server is quiet, so the derived rows
   * are applied first and the answer waits for them: a client that reads right after its ack sees
   * exact counts. (Deciding this before the batch, from an empty queue, would flush every batch
   * under lock-step load: the whole queue is taken at once.)
   */
  private settle(response: WriterResponse): void {
    const batch = this.inFlight;
    if (!batch || batch.id !== response.id) return;
    this.inFlight = null;
    const quiet = this.waiting.length === 0 && response.pendingDerived > 0;
    if (batch.outcomes) {
      // A failed flush loses nothing: the rows stay journaled and are applied with a later batch.
      this.resolveMembers(batch.members, batch.outcomes);
    } else if (response.ok && quiet) {
      this.requestFlush(batch.members, response.outcomes);
      return;
    } else if (response.ok) {
      this.resolveMembers(batch.members, response.outcomes);
    } else {
      const error = new Error(`write failed: ${response.message}`);
      for (const member of batch.members) member.reject(error);
      // Rows gathered from earlier, acknowledged batches still become exact on a quiet server.
      if (quiet) return this.requestFlush([], []);
    }
    this.pump();
  }

  private requestFlush(members: Waiting[], outcomes: WriteOutcome[]): void {
    const id = this.nextId++;
    this.inFlight = { id, members, outcomes };
    this.worker.postMessage({ kind: 'flush', id } satisfies WriterRequest);
  }

  private resolveMembers(members: Waiting[], outcomes: WriteOutcome[]): void {
    let offset = 0;
    for (const member of members) {
      member.resolve(outcomes.slice(offset, offset + member.events.length));
      offset += member.events.length;
    }
  }

  private failAll(error: Error): void {
    this.failure = error;
    const members = [...(this.inFlight?.members ?? []), ...this.waiting];
    this.inFlight = null;
    this.waiting = [];
    for (const member of members) member.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.inFlight || this.waiting.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    if (this.exited) return;
    // A thread that dies while closing never says 'closed': its exit ends the wait as well.
    const closedOrExited = new Promise<void>((resolve) => {
      this.worker.on('message', (m) => m === 'closed' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('close');
    await closedOrExited;
    await this.worker.terminate();
  }
}
