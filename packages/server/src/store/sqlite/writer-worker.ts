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

parentPort!.on('message', (request: WriterRequest | 'close') => {
  if (request === 'close') {
    writer.flush();
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
    response = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(response);
});
