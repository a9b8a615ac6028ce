/**
 * The alert contract (contract/alert-store.contract.ts) on every backend of contract.fixtures.ts,
 * and, where several processes share one database, the case the PostgreSQL cursor exists for: an
 * event whose transaction commits after a later one is still evaluated (alerts/README.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../tests/helpers/postgres.js';
import { BACKENDS, errorEvent } from './contract.fixtures.js';
import { alertStoreContract } from './contract/alert-store.contract.js';
import { PostgresStore } from './postgres/store.js';

for (const backend of BACKENDS) {
  alertStoreContract(backend.name, async () => {
    const opened = await backend.open();
    return { store: opened.store, another: async () => (opened.openAnother ? opened.openAnother() : opened.store), close: () => opened.cleanup() };
  });
}

describe('PostgreSQL alert cursor: commits that interleave', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let late: pg.Client;

  before(async () => {
    db = await createTestDatabase('alerts_interleave');
    store = await PostgresStore.open({ url: db.url });
    late = new pg.Client({ connectionString: db.url });
    await late.connect();
  });
  after(async () => {
    await late.end();
    await store.close();
    await db.drop();
  });

  test('an event whose transaction began first and commits last is evaluated, not skipped', async () => {
    const projectId = (await store.createProject({ name: 'Interleave' })).id;
    // Process A: creates an issue and takes an event row, then stays uncommitted (a slow commit).
    await late.query('BEGIN');
    const issue = await late.query(
      `INSERT INTO issues (project_id, grouping_version, fingerprint, title, culprit, type, level, first_seen, last_seen)
       VALUES ($1, 'v1', 'late-commit', 'LateError: x', 'f', 'LateError', 'error', $2, $2) RETURNING id`,
      [projectId, Date.now()],
    );
    const lateRow = await late.query(
      `INSERT INTO events (project_id, timestamp, issue_id, event_id, received, payload) VALUES ($1, $2, $3, $4, $2, '\\x00') RETURNING row`,
      [projectId, Date.now(), issue.rows[0].id, Buffer.alloc(16, 7)],
    );
    // Process B: a later row, committed at once.
    await store.write([errorEvent(projectId, 1, 'EarlyError', 0, {})], []);
    const whileOpen = await store.alertEvaluationBatch(100);
    assert.equal(whileOpen.events.filter((e) => e.projectId === projectId).length, 0, 'nothing after the open transaction is read while it runs');
    await late.query('COMMIT');
    let events: Awaited<ReturnType<typeof store.alertEvaluationBatch>>['events'] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      events = (await store.alertEvaluationBatch(100)).events.filter((e) => e.projectId === projectId);
      if (events.length === 2) break;
    }
    assert.deepEqual(events.map((e) => e.row), [Number(lateRow.rows[0].row), events[1]!.row], 'the late commit comes first: its transaction is older');
    assert.ok(events[1]!.row > Number(lateRow.rows[0].row), 'B took the later row and committed first');
    assert.deepEqual(events.map((e) => e.newIssue), [true, true], 'both created their issues');
  });
});
