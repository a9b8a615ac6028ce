import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../../../digest/digest.js';
import { configureConnection, migrate } from '../schema.js';
import { DATABASE_FILE } from '../store.js';
import { CHUNK_REQUESTS, writeBatch, type WriteMessage } from './batch-chunks.js';
import { EventWriter } from './event-writer.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function openWriter() {
  const dir = mkdtempSync(join(tmpdir(), 'proliferate-chunks-'));
  dirs.push(dir);
  const db = new Database(join(dir, DATABASE_FILE));
  configureConnection(db, 'writer');
  migrate(db);
  db.prepare(`INSERT INTO projects (id, slug, name, created_at) VALUES (1, 'p', 'P', 0)`).run();
  return { db, writer: new EventWriter(db) };
}

const requests = (count: number, from = 0): WriteMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'write',
    id: from + i + 1,
    events: [digestEvent({ event_id: (from + i + 1).toString(16).padStart(32, '0'), message: `chunk ${(from + i) % 3}` }, 1, { receivedMs: Date.UTC(2026, 11, 3) })],
    raw: [],
    telemetry: [],
  }));

const storedEvents = (db: Database.Database) => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

test('a batch larger than a chunk is written whole, in one transaction, when no read comes', () => {
  const { db, writer } = openWriter();
  let asked = 0;
  const { results, unwritten } = writeBatch(writer, requests(CHUNK_REQUESTS * 3 + 5), false, () => (asked++, false));
  assert.equal(results.length, CHUNK_REQUESTS * 3 + 5);
  assert.ok(results.every((r) => r.ok));
  assert.equal(unwritten.length, 0);
  assert.equal(asked, 3, 'asked between chunks, not after the last');
  assert.equal(storedEvents(db), CHUNK_REQUESTS * 3 + 5);
  db.close();
});

test('a read that arrives during a large batch ends it after the chunk in progress: that part is committed and answered, the rest is left for later', () => {
  const { db, writer } = openWriter();
  const batch = requests(CHUNK_REQUESTS * 4);
  const { results, unwritten } = writeBatch(writer, batch, false, () => true);
  assert.deepEqual(results.map((r) => r.id), batch.slice(0, CHUNK_REQUESTS).map((w) => w.id));
  assert.deepEqual(unwritten.map((w) => w.id), batch.slice(CHUNK_REQUESTS).map((w) => w.id));
  assert.equal(db.inTransaction, false, 'committed, so the read sees it');
  assert.equal(storedEvents(db), CHUNK_REQUESTS);
  // The rest, written later, lands as well.
  writeBatch(writer, unwritten, false, () => false);
  writer.flush();
  assert.equal(storedEvents(db), CHUNK_REQUESTS * 4);
  assert.equal((db.prepare('SELECT sum(count) AS n FROM issues').get() as { n: number }).n, CHUNK_REQUESTS * 4);
  db.close();
});

test('a close (apply with the batch) is never cut short by a read, and leaves nothing gathered', () => {
  const { db, writer } = openWriter();
  const { results, unwritten } = writeBatch(writer, requests(CHUNK_REQUESTS * 2 + 1), true, () => true);
  assert.equal(results.length, CHUNK_REQUESTS * 2 + 1);
  assert.equal(unwritten.length, 0);
  assert.equal(writer.pendingDerived, 0);
  assert.equal((db.prepare('SELECT sum(count) AS n FROM issues').get() as { n: number }).n, CHUNK_REQUESTS * 2 + 1);
  db.close();
});

test('a chunk that fails fails only its own requests; the chunks around it are stored', () => {
  const { db, writer } = openWriter();
  const batch = requests(CHUNK_REQUESTS * 3);
  // The second chunk's first event names a project that does not exist: a foreign key violation.
  batch[CHUNK_REQUESTS]!.events[0]!.projectId = 999;
  const { results } = writeBatch(writer, batch, false, () => false);
  assert.equal(results.filter((r) => !r.ok).length, CHUNK_REQUESTS);
  assert.ok(results.slice(0, CHUNK_REQUESTS).every((r) => r.ok));
  assert.ok(results.slice(CHUNK_REQUESTS * 2).every((r) => r.ok));
  writer.flush();
  assert.equal(storedEvents(db), CHUNK_REQUESTS * 2);
  assert.equal((db.prepare('SELECT sum(count) AS n FROM issues').get() as { n: number }).n, CHUNK_REQUESTS * 2, 'counts only what was stored');
  db.close();
});
