import type { RawItem, WriteOutcome } from '../../types.js';
import type { TelemetryBatch } from '../../trace-types.js';
import type { AlertWriteTask } from './alert-writes.js';
import type { WriterEvent } from './event-writer.js';
import type { LifecycleOp } from './lifecycle-jobs.js';

/** Messages from the main thread to the writer thread. */
export type WriterMessage =
  /** One ingest request's items, posted as soon as they are parsed. */
  | { kind: 'write'; id: number; events: WriterEvent[]; raw: RawItem[]; telemetry: TelemetryBatch[] }
  /**
   * A read wants every acknowledged event's derived rows applied before it runs. `forgetTags`: a
   * deletion removed interned tag values, so the writer must not reuse their cached ids.
   */
  | { kind: 'flush'; id: number; forgetTags?: true }
  /**
   * A deletion (retention purge batch, issue or event deletion, erasure batch, space reclaim), run
   * by the writer between ingest batches, paced (lifecycle-jobs.ts); answered with a `lifecycle` reply.
   */
  | { kind: 'lifecycle'; id: number; op: LifecycleOp; args: unknown[] }
  /** A write transaction of the alert engine (alert-writes.ts), run between ingest batches. */
  | { kind: 'alerts'; id: number; task: AlertWriteTask }
  | { kind: 'close' };

/** `value`: what an alert task returned (alert-writes.ts). */
export type WriterResult = { id: number; ok: true; outcomes: WriteOutcome[]; value?: unknown } | { id: number; ok: false; message: string };

/**
 * The writer answers each batch with one message: a result per request in it, and how many events'
 * derived rows are still gathered but not applied (0 means reads are exact without a flush).
 */
/**
 * Sent with every batch answer. `pendingDerived`: events whose derived rows are gathered but not
 * applied (0: every read is exact without a flush). `appliedBefore`: every write request with a
 * lower id has its derived rows applied (requests are written in id order and applied oldest
 * first), so a read that only needs acks below it needs no flush either.
 */
export interface WriterStatus {
  pendingDerived: number;
  appliedBefore: number;
}

export type WriterReply =
  | { kind: 'batch'; results: WriterResult[] } & WriterStatus
  | { kind: 'lifecycle'; id: number; ok: true; value: unknown }
  | { kind: 'lifecycle'; id: number; ok: false; message: string }
  | { kind: 'closed' };
