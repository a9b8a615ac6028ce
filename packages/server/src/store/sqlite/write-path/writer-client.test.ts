import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../../../digest/digest.js';
import { SqliteStore, DATABASE_FILE } from '../store.js';

const base = Date.UTC(2026, 10, 21, 9, 0, 0);
let dir: string;
let store: SqliteStore;
let projectId: number;

function event(id: number, type: string, tier: string) {
  return digestEvent(
    {
      event_id: id.toString(16).padStart(32, '0'),
      timestamp: (base + id) / 1000,
      user: { id: `user-${id % 5}` },
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags: { tier },
    },
    projectId,
    { receivedMs: base + id },
  );
}

/** Many requests at once, as concurrent HTTP requests arrive: one event each. */
function writeConcurrently(count: number, firstId: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => store.write([event(firstId + i, i % 4 === 0 ? 'RareError' : 'CommonError', i % 2 ? 'free' : 'paid')], [])),
  );
}

function readOnDisk<T>(sql: string): T {
  const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proliferate-writer-'));
  store = new SqliteStore({ dataDir: dir });
  projectId = (await store.createProject({ name: 'Writer test' })).id;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every one of 400 concurrent writes is stored once and acknowledged with its own outcome', async () => {
  const outcomes = await writeConcurrently(400, 1);
  assert.equal(outcomes.length, 400);
  outcomes.forEach((own, i) => {
    assert.equal(own.length, 1);
    assert.equal(own[0]!.eventId, (1 + i).toString(16).padStart(32, '0'));
    assert.equal(own[0]!.inserted, true);
  });
  assert.equal(readOnDisk<{ n: number }>('SELECT count(*) AS n FROM events').n, 400);
});

test('a read right after the acks sees every acknowledged event counted, with its tags', async (t) => {
  await writeConcurrently(400, 1);
  // Acks do not wait for derived rows: what is still journaled at this point is applied by the read.
  const journaled = readOnDisk<{ n: number }>('SELECT count(*) AS n FROM derived_journal').n;
  t.diagnostic(`journaled batches not yet applied when the last ack arrived: ${journaled}`);
  const page = await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 10 });
  assert.deepEqual(page.items.map((issue) => [issue.title.split(':')[0], issue.count, issue.userCount]), [
    ['CommonError', 300, 5],
    ['RareError', 100, 5],
  ]);
  const tiers = (await store.issueTagDistribution(page.items[0]!.id, 10)).find((d) => d.key === 'tier')!;
  assert.deepEqual(tiers.values.map((v) => [v.value, v.count]), [['free', 200], ['paid', 100]]);
  assert.equal(readOnDisk<{ n: number }>('SELECT count(*) AS n FROM derived_journal').n, 0);
});

test('a writer that goes quiet applies its gathered rows by itself, without any read asking', async () => {
  await writeConcurrently(300, 1_000);
  const deadline = Date.now() + 5_000;
  let state = { journaled: -1, counted: -1 };
  while (Date.now() < deadline) {
    state = readOnDisk('SELECT (SELECT count(*) FROM derived_journal) AS journaled, (SELECT sum(count) FROM issues) AS counted');
    if (state.journaled === 0 && state.counted === 300) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(state, { journaled: 0, counted: 300 });
});

test('a write after close is refused with a clear error, and close waits for writes under way', async () => {
  const pending = writeConcurrently(50, 5_000);
  await store.close();
  assert.equal((await pending).length, 50);
  await assert.rejects(store.write([event(9_999, 'LateError', 'free')], []), /store is closed/);
  assert.equal(readOnDisk<{ n: number }>('SELECT sum(count) AS n FROM issues').n, 50);
  store = new SqliteStore({ dataDir: dir });
});
