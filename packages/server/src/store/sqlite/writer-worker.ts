/**
 * The writer thread: owns the only writing connection. Moving writes here lets the main thread
 * keep parsing requests while a batch commits and fsyncs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection } from './schema.js';
import { EventWriter } from './event-writer.js';
import type { WriterRequest, WriterResponse } from './writer-client.js';
import type { WriteOutcome } from '../types.js';

const db = new Database((workerData as { path: string }).path);
configureConnection(db, 'writer');
const writer = new EventWriter(db);
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

parentPort!.on('message', (request: WriterRequest | 'close') => {
  if (request === 'close') {
    applyGathered();
    db.close();
    parentPort!.postMessage('closed');
    return;
  }
  let response: WriterResponse;
  try {
    let outcomes: WriteOutcome[] = [];
    if (request.kind === 'write') outcomes = writer.write(request.events, request.raw, request.telemetry, false);
    else writer.flush();
    response = { id: request.id, ok: true, outcomes, pendingDerived: writer.pendingDerived };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    response = { id: request.id, ok: false, message, pendingDerived: writer.pendingDerived };
  }
  parentPort!.postMessage(response);
});
