/**
 * The writer thread: owns the only writing connection. Moving writes here lets the main thread
 * keep parsing requests while a batch commits and fsyncs.
 *
 * Group commit happens here rather than on the main thread: every request that arrived while a batch
 * was being written is taken off the port at once (receiveMessageOnPort) and written as the next
 * single transaction. The writer so starts its next batch the moment the last one commits, instead
 * of waiting for the main thread's event loop, busy parsing HTTP, to hand it one.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection } from '../schema.js';
import { EventWriter } from './event-writer.js';
import { QueueDepthMeter } from './writer-load.js';
import type { WriterMessage, WriterReply, WriterResult } from './writer-protocol.js';

/**
 * Derived rows are applied in slices while no request is waiting, once the oldest has waited this
 * long: gathering first is what keeps their page writes cheap (DerivedRows), and applying them
 * between batches instead of inside one is what keeps acks from waiting 30-50 ms behind an apply.
 * A server that goes quiet so ends up exact on disk without any read asking. Reads never wait for
 * this: they ask for a flush themselves (WriterClient.settled).
 */
const IDLE_APPLY_AFTER_MS = 150;
/**
 * A slice is half of what is gathered, and at least this many events. Each slice's commit costs
 * ~15-20 ms here whatever its size (it rewrites the pages that every few dozen events touch), so
 * small slices would keep the writer busy most of the time and fall behind when the machine is slow;
 * halves catch up with any backlog in a few slices, each far shorter than one bulk apply.
 */
const SLICE_MIN_EVENTS = 128;
/**
 * Slices cost more per event than one bulk apply (each commit rewrites the pages they share), so a
 * writer that found at least this many requests waiting per batch (QueueDepthMeter) applies in bulk
 * instead: with a batch once the flush policy says so, or all at once after QUIET_MS without one.
 * Measured here: a median of 1-4 per batch at 2,500 events/s, 7-20 at the most the server takes.
 */
const DEEP_QUEUE = 6;
const QUIET_MS = 20;

type WriteMessage = Extract<WriterMessage, { kind: 'write' }>;

const port = parentPort!;
const db = new Database((workerData as { path: string }).path);
configureConnection(db, 'writer');
const writer = new EventWriter(db);
let idleTimer: NodeJS.Timeout | undefined;
let idleQueued = false;
let closed = false;
const queueDepth = new QueueDepthMeter();
// Rows journaled before a crash are applied now, so counts are exact after a restart even if no
// event arrives. If the database is busy beyond busy_timeout they wait for the next batch instead.
applyGathered();

/** Flushes what is gathered; a failure loses nothing (it stays journaled) and must not stop the thread. */
function applyGathered(): void {
  try {
    writer.flush();
  } catch {
    // Applied with a later batch, or by the next start.
  }
}

/** At most this many events go into one transaction; a larger backlog is written in several. */
const MAX_BATCH_EVENTS = 2000;

/** What is already waiting on the port, up to MAX_BATCH_EVENTS events, without yielding to the event loop. */
function takeQueued(into: WriterMessage[]): WriterMessage[] {
  let events = 0;
  for (const message of into) if (message.kind === 'write') events += message.events.length;
  while (events < MAX_BATCH_EVENTS) {
    const next = receiveMessageOnPort(port)?.message as WriterMessage | undefined;
    if (!next) break;
    into.push(next);
    if (next.kind === 'write') events += next.events.length;
  }
  return into;
}

/**
 * One transaction for every write of the batch; if it fails, each of them fails. With `applyDerived`
 * the gathered rows are applied in that same transaction.
 */
function writeBatch(writes: WriteMessage[], applyDerived: boolean): WriterResult[] {
  try {
    const outcomes = writer.write(
      writes.flatMap((w) => w.events),
      writes.flatMap((w) => w.raw),
      writes.flatMap((w) => w.telemetry),
      applyDerived,
    );
    let offset = 0;
    return writes.map((w) => {
      const own = outcomes.slice(offset, offset + w.events.length);
      offset += w.events.length;
      return { id: w.id, ok: true, outcomes: own };
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return writes.map((w) => ({ id: w.id, ok: false, message }));
  }
}

/** Writes one batch of queued messages and answers it; returns whether a close was among them. */
function handle(messages: WriterMessage[]): boolean {
  const writes = messages.filter((m): m is WriteMessage => m.kind === 'write');
  const flushIds = messages.flatMap((m) => (m.kind === 'flush' ? [m.id] : []));
  const closing = messages.some((m) => m.kind === 'close');
  const applyDerived = flushIds.length > 0 || closing;
  const results = writes.length > 0 ? writeBatch(writes, applyDerived) : [];
  if (writes.length > 0) queueDepth.add(writes.length);
  // A flush that fails leaves the rows journaled; the read that asked goes ahead with trailing counts.
  if (applyDerived && (writes.length === 0 || writer.pendingDerived > 0)) applyGathered();
  for (const id of flushIds) results.push({ id, ok: true, outcomes: [] });
  reply({ kind: 'batch', results, pendingDerived: writer.pendingDerived });
  return closing;
}

function reply(message: WriterReply): void {
  port.postMessage(message);
}

/** Tells the main thread how many events' rows are still gathered, after applying some unasked. */
function reportPending(): void {
  reply({ kind: 'batch', results: [], pendingDerived: writer.pendingDerived });
}

/** Writes everything queued, batch after batch, then turns to the gathered rows if nothing waits. */
function pump(first?: WriterMessage): void {
  clearTimeout(idleTimer);
  let queue = takeQueued(first ? [first] : []);
  while (queue.length > 0) {
    if (handle(queue)) {
      closed = true;
      db.close();
      reply({ kind: 'closed' });
      return;
    }
    queue = takeQueued([]);
  }
  if (writer.pendingDerived === 0) return;
  if (queueDepth.depth >= DEEP_QUEUE) idleTimer = setTimeout(applyAllWhenQuiet, QUIET_MS);
  else scheduleIdleApply();
}

function applyAllWhenQuiet(): void {
  if (closed) return;
  applyGathered();
  reportPending();
}

function scheduleIdleApply(): void {
  if (writer.pendingDerived === 0 || idleQueued) return;
  const wait = IDLE_APPLY_AFTER_MS - writer.pendingAgeMs;
  if (wait > 0) {
    idleTimer = setTimeout(applySliceIfIdle, wait);
  } else {
    // After the event loop's next turn, so requests that came in meanwhile are written first.
    idleQueued = true;
    setImmediate(applySliceIfIdle);
  }
}

/** Applies one slice of gathered rows, unless a request is waiting: then that goes first. */
function applySliceIfIdle(): void {
  idleQueued = false;
  if (closed) return;
  const waiting = receiveMessageOnPort(port);
  if (waiting) {
    pump(waiting.message as WriterMessage);
    return;
  }
  try {
    writer.applyOldest(Math.max(SLICE_MIN_EVENTS, Math.ceil(writer.pendingDerived / 2)));
  } catch {
    // Nothing is lost (the rows stay journaled); try again after a pause rather than spin, e.g.
    // while another connection holds the write lock beyond busy_timeout.
    reportPending();
    idleTimer = setTimeout(applySliceIfIdle, IDLE_APPLY_AFTER_MS);
    return;
  }
  reportPending();
  scheduleIdleApply();
}

port.on('message', (first: WriterMessage) => {
  if (!closed) pump(first);
});
