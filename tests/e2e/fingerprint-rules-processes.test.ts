/**
 * Fingerprint rules across server processes (always on PostgreSQL, whatever PROLIFERATE_TEST_STORE
 * says): rules saved through one process group the events another process receives, as soon as the
 * NOTIFY reaches it (well before the 5 s refresh that bounds staleness when notifications are lost),
 * and emptying them there brings the default grouping back just as fast.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

/** NOTIFY arrives in milliseconds; slack for a loaded CI machine, still under the 5 s refresh. */
const PROPAGATION_BOUND_MS = 3_000;

describe('fingerprint rules on two server processes over one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let token: string;

  before(async () => {
    db = await createTestDatabase('fprules_multi');
    a = await startServer({ env: { PROLIFERATE_DATABASE_URL: db.url } });
    token = a.adminToken!;
    b = await startServer({ env: { PROLIFERATE_DATABASE_URL: db.url }, adminToken: token });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  /** Sends one event to `server` and answers its stored grouping. */
  async function groupingOf(server: RunningServer): Promise<{ source: string; rule?: { line: number } }> {
    const eventId = randomUUID().replace(/-/g, '');
    const event = { event_id: eventId, exception: { values: [{ type: 'GatewayTimeout', value: 'upstream took too long', stacktrace: { frames: [{ function: 'proxy', filename: '/app/gateway.js' }] } }] } };
    const sent = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(sent.status, 200);
    const stored = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`, { token });
    assert.equal(stored.status, 200);
    return stored.body.grouping;
  }

  async function within(what: string, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > PROPAGATION_BOUND_MS) throw new Error(`${what}: not within ${PROPAGATION_BOUND_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - started;
  }

  test('rules saved through one process apply to the other at once, and so does removing them', async (t) => {
    assert.equal((await groupingOf(b)).source, 'GatewayTimeout|proxy@gateway.js');
    const saved = await a.api(`/api/0/projects/${a.projectId}/fingerprint-rules/`, { method: 'PUT', body: { rules: 'error.type:GatewayTimeout -> upstream-slow' }, token });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await groupingOf(a)).source, 'upstream-slow', 'the saving process applies them to its very next event');
    const applied = await within('the other process applies the new rules', async () => (await groupingOf(b)).source === 'upstream-slow');
    const cleared = await a.api(`/api/0/projects/${a.projectId}/fingerprint-rules/`, { method: 'PUT', body: { rules: '' }, token });
    assert.equal(cleared.status, 200);
    const removed = await within('the other process drops the removed rules', async () => (await groupingOf(b)).rule === undefined);
    t.diagnostic(`rules reached the other process in ${applied} ms, their removal in ${removed} ms`);
  });
});
