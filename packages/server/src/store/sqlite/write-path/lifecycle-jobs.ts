/**
 * Deletions run by the writer thread (README.md, "Deletions"): retention purge batches, issue and
 * event deletion, erasure batches and space reclaim. They used to run on the main thread's admin
 * connection, where a 500-event batch blocked the event loop for 120-170 ms (so the overload guard
 * answered 503) and held the write lock that long (so the writer's acks waited): p99 ack 6.7 s at
 * 200 events/s during a purge, 461 failed requests (docs/benchmarks.md). Here they run only
 * between ingest batches, when no request waits, sized by DeletionPacer to a time target.
 */
import type Database from 'better-sqlite3';
import type { DeletionPacer, IngestPressure, PacerDecision } from '../../../lifecycle/deletion-pacer.js';
import type { DeletionBatch } from '../../lifecycle-types.js';
import { LifecycleQueries } from '../lifecycle-queries.js';
import type { EventWriter } from './event-writer.js';
import type { WriterMessage, WriterReply } from './writer-protocol.js';

export type LifecycleOp = 'purgeOlderThan' | 'deleteIssueBatch' | 'deleteEvent' | 'eraseUserBatch' | 'reclaimSpace';

type Job = Extract<WriterMessage, { kind: 'lifecycle' }>;

/** The argument that bounds a batch: rows for the deletions, pages for reclaimSpace; none for deleteEvent. */
const LIMIT_ARG: Record<LifecycleOp, number | null> = { purgeOlderThan: 2, deleteIssueBatch: 2, eraseUserBatch: 2, reclaimSpace: 0, deleteEvent: null };

export class LifecycleJobs {
  private readonly queue: Job[] = [];
  private readonly queries: LifecycleQueries;

  constructor(
    db: Database.Database,
    private readonly writer: EventWriter,
    private readonly pacer: DeletionPacer,
  ) {
    this.queries = new LifecycleQueries(db);
  }

  add(job: Job): void {
    this.queue.push(job);
  }

  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Whether the oldest job runs now (and with how many rows), waits, or yields to a waiting request. */
  decide(pressure: IngestPressure): PacerDecision {
    const job = this.queue[0];
    if (!job) return { kind: 'wait', ms: 0 };
    const limitArg = LIMIT_ARG[job.op];
    const requested = limitArg === null || job.op === 'reclaimSpace' ? 1 : Number(job.args[limitArg]);
    return this.pacer.next(requested, pressure);
  }

  /** Runs the oldest job with at most `rows` rows and answers it. */
  run(rows: number): WriterReply {
    const job = this.queue.shift()!;
    try {
      return { kind: 'lifecycle', id: job.id, ok: true, value: this.execute(job, rows) };
    } catch (error) {
      return { kind: 'lifecycle', id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Answers every job still queued with a failure (the writer is closing). */
  failAll(message: string): WriterReply[] {
    return this.queue.splice(0).map((job) => ({ kind: 'lifecycle', id: job.id, ok: false, message }));
  }

  private execute(job: Job, rows: number): unknown {
    if (job.op === 'reclaimSpace') return this.queries.reclaimSpace(Number(job.args[0]));
    // What is deleted must have its tag rows and counts in place to be taken out.
    this.writer.flush();
    const started = performance.now();
    const result = this.deletion(job, rows);
    const batch = typeof result === 'object' ? (result as DeletionBatch) : undefined;
    // Only a full batch says how long `rows` rows take; the last one of a run is smaller.
    if (batch?.more) this.pacer.record(rows, performance.now() - started);
    // Rows of tag_value_users went with the last events of their values, or a person's interned
    // values were erased: the writer forgets its cached tag ids and the (value, user) pairs stored.
    if (this.queries.valueUsersForgotten || (job.op === 'eraseUserBatch' && batch && !batch.more)) {
      this.queries.valueUsersForgotten = false;
      this.writer.forgetTagIds();
    }
    return result;
  }

  private deletion(job: Job, rows: number): DeletionBatch | boolean | undefined {
    const [projectId, second] = job.args as [number, unknown];
    switch (job.op) {
      case 'purgeOlderThan':
        return this.queries.purgeOlderThan(projectId, second as number, rows);
      case 'deleteIssueBatch':
        return this.queries.deleteIssueBatch(projectId, second as number, rows);
      case 'eraseUserBatch':
        return this.queries.eraseUserBatch(projectId, second as Parameters<LifecycleQueries['eraseUserBatch']>[1], rows);
      case 'deleteEvent':
        return this.queries.deleteEvent(projectId, second as string);
      default:
        throw new Error(`unknown lifecycle operation ${String(job.op)}`);
    }
  }
}
