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
import { AlertWrites } from './alert-writes.js';
import { EventWriter } from './event-writer.js';
import { ApplyPolicy, type NextApply } from './apply-policy.js';
import { writeBatch, type WriteMessage } from './batch-chunks.js';
import { DeletionPacer } from '../../../lifecycle/deletion-pacer.js';
import { LifecycleJobs } from './lifecycle-jobs.js';
import type { WriterMessage, WriterReply, WriterResult, WriterStatus } from './writer-protocol.js';

type AlertMessage = Extract<WriterMessage, { kind: 'alerts' }>;

const port = parentPort!;
const db = new Database((workerData as { path: string }).path);
configureConnection(db, 'writer');
// Every "apply the derived rows now?" decision is the policy's (apply-policy.ts, README.md); this
// thread only carries them out with timers.
const policy = new ApplyPolicy();
const writer = new EventWriter(db, policy);
const lifecycle = new LifecycleJobs(db, writer, new DeletionPacer(policy.clock));
let lifecycleTimer: NodeJS.Timeout | undefined;
let lifecycleQueued = false;
let alertWrites: AlertWrites | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let idleQueued = false;
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
/** Messages taken off the port between chunks; older than anything still on the port. */
const inbox: WriterMessage[] = [];

const eventsIn = (message: WriterMessage) => (message.kind === 'write' ? message.events.length : 0);

/** What is already waiting (the inbox first, then the port), up to MAX_BATCH_EVENTS events, without yielding to the event loop. */
function takeQueued(first?: WriterMessage): WriterMessage[] {
  const into: WriterMessage[] = [];
  let events = 0;
  while (inbox.length > 0 && events < MAX_BATCH_EVENTS) {
    const next = inbox.shift()!;
    into.push(next);
    events += eventsIn(next);
  }
  if (first) {
    into.push(first);
    events += eventsIn(first);
  }
  while (events < MAX_BATCH_EVENTS) {
    const next = receiveMessageOnPort(port)?.message as WriterMessage | undefined;
    if (!next) break;
    into.push(next);
    events += eventsIn(next);
  }
  return into;
}

/** Moves everything on the port to the inbox; whether a read is among it, waiting for a flush. */
function readWaiting(): boolean {
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) inbox.push(next.message as WriterMessage);
  return inbox.some((m) => m.kind === 'flush');
}

/** Writes one batch of queued messages and answers it; returns whether a close was among them. */
function handle(messages: WriterMessage[]): boolean {
  const writes = messages.filter((m): m is WriteMessage => m.kind === 'write');
  const alertTasks = messages.filter((m): m is AlertMessage => m.kind === 'alerts');
  const flushIds = messages.flatMap((m) => (m.kind === 'flush' ? [m.id] : []));
  const closing = messages.some((m) => m.kind === 'close');
  // Deletions wait until no request does (runLifecycleIfIdle).
  for (const m of messages) if (m.kind === 'lifecycle') lifecycle.add(m);
  if (messages.some((m) => m.kind === 'flush' && m.forgetTags)) writer.forgetTagIds();
  if (flushIds.length > 0) policy.readAsked();
  if (flushIds.length > 0 && !closing) {
    // A read waits for the rows of the writes acked before it, not for the writes queued beside
    // it: those rows are applied and the read answered first, then the batch is written, so under
    // saturated ingest a read waits for the batch in progress only, not also for the next one.
    // A flush that fails leaves the rows journaled; the read that asked goes ahead with trailing counts.
    applyGathered();
    reply({ kind: 'batch', results: flushIds.map((id) => ({ id, ok: true, outcomes: [] })), ...status() });
    if (writes.length === 0 && alertTasks.length === 0) return false;
  }
  const { results, unwritten } = writes.length > 0 ? writeBatch(writer, writes, closing, readWaiting) : { results: [], unwritten: [] };
  // Cut short by a read: the rest goes before what came after it, behind the read's flush.
  inbox.unshift(...unwritten);
  if (writes.length > 0) policy.batchWritten(writes.length - unwritten.length);
  if (closing && (writes.length === 0 || writer.pendingDerived > 0)) applyGathered();
  if (closing) for (const id of flushIds) results.push({ id, ok: true, outcomes: [] });
  // The acks first: an alert task queued beside ingest writes does not delay them.
  if (results.length > 0 || alertTasks.length === 0) reply({ kind: 'batch', results, ...status() });
  if (alertTasks.length > 0) reply({ kind: 'batch', results: alertTasks.map(runAlertTask), ...status() });
  return closing;
}

/** Each alert task in a transaction of its own: one that fails (busy beyond busy_timeout) fails alone. */
function runAlertTask(message: AlertMessage): WriterResult {
  try {
    alertWrites ??= new AlertWrites(db);
    return { id: message.id, ok: true, outcomes: [], value: alertWrites.run(message.task) };
  } catch (error) {
    return { id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function status(): WriterStatus {
  return { pendingDerived: writer.pendingDerived, appliedBefore: writer.appliedBefore };
}

function reply(message: WriterReply): void {
  port.postMessage(message);
}

/** Tells the main thread how many events' rows are still gathered, after applying some unasked. */
function reportPending(): void {
  reply({ kind: 'batch', results: [], ...status() });
}

/** Writes everything queued, batch after batch, then turns to the gathered rows if nothing waits. */
function pump(first?: WriterMessage): void {
  clearTimeout(idleTimer);
  let queue = takeQueued(first);
  while (queue.length > 0) {
    if (handle(queue)) {
      closed = true;
      for (const answer of lifecycle.failAll('store is closed')) reply(answer);
      db.close();
      reply({ kind: 'closed' });
      return;
    }
    queue = takeQueued();
  }
  schedule(policy.afterDrain(writer.gathered));
  scheduleLifecycle(0);
}

function scheduleLifecycle(wait: number): void {
  if (lifecycleQueued || !lifecycle.pending) return;
  lifecycleQueued = true;
  // After the event loop's next turn at the earliest, so requests that came in meanwhile go first.
  if (wait > 0) lifecycleTimer = setTimeout(runLifecycleIfIdle, wait);
  else setImmediate(runLifecycleIfIdle);
}

/** Runs one deletion batch if no request waits and the queue is shallow (lifecycle/deletion-pacer.ts). */
function runLifecycleIfIdle(): void {
  lifecycleQueued = false;
  clearTimeout(lifecycleTimer);
  if (closed) return;
  const waiting = receiveMessageOnPort(port);
  if (waiting) {
    pump(waiting.message as WriterMessage);
    return;
  }
  const decision = lifecycle.decide({ waiting: false, deepQueue: policy.deepQueue });
  if (decision.kind === 'run') {
    reply(lifecycle.run(decision.rows));
    reportPending();
    scheduleLifecycle(0);
  } else {
    scheduleLifecycle(decision.kind === 'wait' ? Math.max(1, decision.ms) : 0);
  }
}

function schedule(next: NextApply): void {
  if (next.kind === 'all-when-quiet') idleTimer = setTimeout(applyAllWhenQuiet, next.inMs);
  else if (next.kind === 'slice') scheduleSlice(next.inMs);
}

function applyAllWhenQuiet(): void {
  if (closed) return;
  applyGathered();
  reportPending();
}

function scheduleSlice(wait: number): void {
  if (idleQueued) return;
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
    writer.applyOldest(policy.sliceEvents(writer.pendingDerived));
  } catch {
    // Nothing is lost (the rows stay journaled); try again after a pause rather than spin, e.g.
    // while another connection holds the write lock beyond busy_timeout.
    reportPending();
    idleTimer = setTimeout(applySliceIfIdle, policy.retryAfterMs);
    return;
  }
  reportPending();
  schedule(policy.nextSlice(writer.gathered));
}

port.on('message', (first: WriterMessage) => {
  if (!closed) pump(first);
});
