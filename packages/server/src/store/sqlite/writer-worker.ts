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
import { configureConnection } from './schema.js';
import { EventWriter } from './event-writer.js';
import type { WriterMessage, WriterReply, WriterResult } from './writer-protocol.js';

/**
 * Derived rows gathered under load are applied once no batch has arrived for this long, so a
 * server that goes quiet ends up exact on disk without any read asking for it. Reads never wait
 * for this: they ask for a flush themselves (WriterClient.settled).
 */
const QUIET_MS = 20;

type WriteMessage = Extract<WriterMessage, { kind: 'write' }>;

const port = parentPort!;
const db = new Database((workerData as { path: string }).path);
configureConnection(db, 'writer');
const writer = new EventWriter(db);
let quietTimer: NodeJS.Timeout | undefined;
let closed = false;
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
  // A flush that fails leaves the rows journaled; the read that asked goes ahead with trailing counts.
  if (applyDerived && (writes.length === 0 || writer.pendingDerived > 0)) applyGathered();
  for (const id of flushIds) results.push({ id, ok: true, outcomes: [] });
  reply({ kind: 'batch', results, pendingDerived: writer.pendingDerived });
  return closing;
}

function reply(message: WriterReply): void {
  port.postMessage(message);
}

port.on('message', (first: WriterMessage) => {
  if (closed) return;
  clearTimeout(quietTimer);
  let queue = takeQueued([first]);
  while (queue.length > 0) {
    if (handle(queue)) {
      closed = true;
      db.close();
      reply({ kind: 'closed' });
      return;
    }
    queue = takeQueued([]);
  }
  if (writer.pendingDerived > 0) {
    quietTimer = setTimeout(() => {
      applyGathered();
      reply({ kind: 'batch', results: [], pendingDerived: writer.pendingDerived });
    }, QUIET_MS);
  }
});
