/**
 * Several server processes over one PostgreSQL database (docs/scaling.md): always on PostgreSQL,
 * whatever PROLIFERATE_TEST_STORE says. Two real servers start together on an empty database; the
 * official @sentry/node sends to both; a key revoked through one is refused by the other; one is
 * killed with SIGKILL while both take events, and nothing either acknowledged is lost.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { issueTags, lastJsonLine, listIssueEventIds, runFixture } from '../helpers/official-clients.ts';
import type { ApiIssue } from '../helpers/official-clients.ts';

const burst = fileURLToPath(new URL('./fixtures/sentry-node-burst.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
/** What docs/scaling.md promises while the listener connection is up (NOTIFY arrives in milliseconds; slack for a loaded CI machine). */
const REVOCATION_BOUND_MS = 3_000;

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Polls until `check` is true, failing after `ms`; returns how long it took. */
async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

function storeRequest(server: RunningServer, publicKey: string, eventId: string, tags: Record<string, string> = {}) {
  return fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${publicKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      event_id: eventId,
      level: 'error',
      tags,
      exception: { values: [{ type: 'KillError', value: `event ${eventId}`, stacktrace: { frames: [{ function: 'ingest', filename: '/app/kill.js' }] } }] },
    }),
  });
}

test('two servers starting at once on an empty database make one default project, one admin token and one owner', async (t) => {
  const db = await createTestDatabase('pgmulti_first_run');
  const env = { PROLIFERATE_DATABASE_URL: db.url };
  const servers = await Promise.all([startServer({ env }), startServer({ env })]);
  try {
    const withToken = servers.filter((s) => s.adminToken !== undefined);
    assert.equal(withToken.length, 1, 'exactly one of the two starts created the admin token');
    assert.equal(servers[0]!.projectId, servers[1]!.projectId);
    assert.equal(servers[0]!.publicKey, servers[1]!.publicKey);
    const [counts] = await sql<{ projects: number; tokens: number; links: number }>(db.url,
      `SELECT (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM api_tokens) AS tokens,
              (SELECT count(*)::int FROM one_time_links WHERE purpose = 'setup' AND used_at IS NULL) AS links`);
    assert.deepEqual(counts, { projects: 1, tokens: 1, links: 1 });
    // The one token works on both processes.
    for (const server of servers) assert.equal((await server.api('/api/0/projects/', { token: withToken[0]!.adminToken })).status, 200);

    // Both printed a set-up link (the later start replaced the earlier one): used at the same
    // moment, each on its own process, exactly one creates the owner.
    const answers = await Promise.all(servers.map((server, n) => fetch(`${server.url}/api/0/auth/setup/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: new URL(server.setupUrl!).hash.replace('#token=', ''), email: `owner${n}@example.com`, password: 'a long enough passphrase 42' }),
    })));
    const statuses = answers.map((r) => r.status).sort();
    t.diagnostic(`set-up answers: ${statuses.join(', ')}`);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `one owner is created: ${statuses}`);
    assert.ok(statuses.every((s) => s === 201 || s === 403 || s === 409));
    const [users] = await sql<{ owners: number }>(db.url, `SELECT count(*)::int AS owners FROM users`);
    assert.equal(users!.owners, 1);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
});

describe('two server processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let token: string;

  before(async () => {
    db = await createTestDatabase('pgmulti');
    a = await startServer({ env: { PROLIFERATE_DATABASE_URL: db.url } });
    token = a.adminToken!;
    b = await startServer({ env: { PROLIFERATE_DATABASE_URL: db.url }, adminToken: token });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('the official @sentry/node sending to both: one issue whose count, users and tag distribution are exact', async () => {
    const perProcess = 120;
    const reports = await Promise.all([a, b].map((server, n) =>
      runFixture(process.execPath, [burst], { SENTRY_DSN: server.dsn, BURST_COUNT: String(perProcess), BURST_LABEL: `p${n}` }, testsDir)
        .then((stdout) => lastJsonLine<{ ids: string[]; flushed: boolean }>(stdout))));
    for (const report of reports) assert.equal(report.flushed, true);
    const sent = reports.flatMap((r) => r.ids);
    assert.equal(new Set(sent).size, 2 * perProcess);

    // Either process answers the same: both read the one database.
    for (const server of [a, b]) {
      const { body: issues } = await server.api<ApiIssue[]>(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent('environment:multi-process')}`);
      assert.equal(issues.length, 1, 'one fingerprint, one issue, although two processes grouped it at the same time');
      const issue = issues[0]!;
      assert.equal(issue.count, 2 * perProcess, 'no lost update of the count');
      assert.equal(issue.userCount, 5);
      const tags = await issueTags(server, issue.id);
      const tier = tags.find((tag) => tag.key === 'tier')!;
      assert.equal(tier.totalValues, 2 * perProcess);
      assert.deepEqual(Object.fromEntries(tier.topValues.map((v) => [v.value, v.count])), { free: 80, pro: 80, enterprise: 80 });
      const sender = tags.find((tag) => tag.key === 'sender')!;
      assert.deepEqual(Object.fromEntries(sender.topValues.map((v) => [v.value, v.count])), { p0: perProcess, p1: perProcess });
    }
  });

  test('a key revoked through one process is refused by the other at once, also after its listener connection was cut', async (t) => {
    const keyOn = async (server: RunningServer) => {
      const { status, body } = await server.api<{ publicKey: string }>(`/api/0/projects/${server.projectId}/keys/`, { method: 'POST', body: { label: 'revoked soon' } });
      assert.equal(status, 201);
      return body.publicKey;
    };
    const accepted = async (server: RunningServer, key: string) => (await storeRequest(server, key, randomUUID().replace(/-/g, ''))).status === 200;
    const revoke = async (server: RunningServer, key: string) =>
      assert.equal((await server.api(`/api/0/projects/${server.projectId}/keys/${key}/`, { method: 'DELETE' })).status, 204);

    const key = await keyOn(a);
    assert.equal(await accepted(b, key), true, 'process b takes the new key (and now caches it)');
    assert.equal(await accepted(b, key), true);
    const revokedAt = Date.now();
    await revoke(a, key);
    const took = await waitFor('b refuses the revoked key', REVOCATION_BOUND_MS, async () => !(await accepted(b, key)));
    t.diagnostic(`refused by the other process ${took} ms after the revocation answered (${Date.now() - revokedAt} ms in all)`);
    assert.equal((await storeRequest(b, key, randomUUID().replace(/-/g, ''))).status, 403);

    // Cut every listener connection (both processes'): each drops its cached keys and reconnects.
    const second = await keyOn(b);
    assert.equal(await accepted(b, second), true);
    const cut = await sql<{ cut: boolean }>(db.url, `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN proliferate_cache%'`);
    assert.equal(cut.length, 2, 'each process holds one listener connection');
    await revoke(a, second);
    await waitFor('b refuses the key revoked while its listener was down', REVOCATION_BOUND_MS, async () => !(await accepted(b, second)));
    // Both listen again, and a revocation is heard through NOTIFY once more.
    await waitFor('both listeners reconnect', 15_000, async () =>
      (await sql(db.url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN proliferate_cache%'`)).length === 2);
    const third = await keyOn(a);
    assert.equal(await accepted(b, third), true);
    await revoke(a, third);
    await waitFor('b refuses a key revoked after the reconnection', REVOCATION_BOUND_MS, async () => !(await accepted(b, third)));
  });

  test('SIGKILL of one process while both take events loses nothing either acknowledged', async (t) => {
    const acked: string[] = [];
    let stop = false;
    let killedA = false;
    const sender = async (server: RunningServer, n: number) => {
      for (let seq = 0; !stop; seq++) {
        if (server === a && killedA) return;
        const eventId = randomUUID().replace(/-/g, '');
        try {
          const response = await storeRequest(server, server.publicKey, eventId, { sender: `${server === a ? 'a' : 'b'}${n}` });
          if (response.status === 200 && ((await response.json()) as { id: string }).id === eventId) acked.push(eventId);
          else if (server === a && killedA) return;
          else assert.fail(`${server === a ? 'a' : 'b'} answered ${response.status}`);
        } catch (error) {
          if (server === a) return; // a is gone: like the official clients, drop and stop
          throw error;
        }
      }
    };
    const senders = [...[0, 1, 2, 3].map((n) => sender(a, n)), ...[0, 1, 2, 3].map((n) => sender(b, n))];
    await waitFor('200 events acknowledged', 30_000, async () => acked.length >= 200);
    const atKill = acked.length;
    killedA = true;
    await a.kill('SIGKILL');
    const afterKill = acked.length;
    await waitFor('b keeps taking events', 30_000, async () => acked.length >= afterKill + 100);
    stop = true;
    await Promise.all(senders);
    t.diagnostic(`${atKill} acknowledged when a was killed, ${acked.length} in all`);

    const missing: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < acked.length) {
        const id = acked[next++]!;
        if ((await b.api(`/api/0/projects/${b.projectId}/events/${id}/`)).status !== 200) missing.push(id);
      }
    }));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events are missing`);
    const { body: all } = await b.api<ApiIssue[]>(`/api/0/projects/${b.projectId}/issues/?limit=100`);
    const issues = all.filter((issue) => issue.title.startsWith('KillError'));
    assert.equal(issues.length, 1);
    // The count is exact: it matches the stored events (each committed with its event).
    const [stored] = await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM events WHERE issue_id = ${issues[0]!.id}`);
    assert.equal(issues[0]!.count, stored!.n);
    assert.ok(stored!.n >= acked.length);
    assert.ok((await listIssueEventIds(b, issues[0]!.id)).length > 0);
  });
});
