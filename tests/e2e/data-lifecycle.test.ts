/**
 * Retention, deletion and GDPR erasure against the real server (the built CLI), with events sent
 * over HTTP with old timestamps; run on PostgreSQL too with PROLIFERATE_TEST_STORE=postgres.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../helpers/server.js';

const run = promisify(execFile);
const DAY = 86_400_000;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('data lifecycle on the real server', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let seq = 0;
  const projects: Array<{ id: string; publicKey: string }> = [];

  const send = async (project: { id: string; publicKey: string }, event: Record<string, unknown>) => {
    const eventId = (0xe0000000 + ++seq).toString(16).padStart(32, '0');
    const response = await fetch(`${server.url}/api/${project.id}/store/?sentry_key=${project.publicKey}`, {
      method: 'POST',
      body: JSON.stringify({ event_id: eventId, ...event }),
    });
    assert.equal(response.status, 200, await response.text());
    return eventId;
  };
  const events = async (projectId: string, query = '') =>
    (await server.api<Array<{ eventID?: string; id?: string; eventId?: string }>>(`/api/0/projects/${projectId}/events/?limit=100${query ? `&query=${encodeURIComponent(query)}` : ''}`)).body;

  before(async () => {
    server = await startServer({ env: { PROLIFERATE_RETENTION_INTERVAL_MS: '300', PROLIFERATE_PURGE_BATCH: '40', PROLIFERATE_LOG_LEVEL: 'silent' } });
    projects.push({ id: server.projectId, publicKey: server.publicKey });
    const second = (await server.api('/api/0/projects/', { body: { name: 'Second' } })).body;
    projects.push({ id: String(second.id), publicKey: second.publicKey });
  });
  after(() => server?.stop());

  test('the background purge deletes events older than 90 days in batches, and a project setting of 5 days takes the 10-day-old ones next', async () => {
    const [p] = projects;
    const now = Date.now();
    for (let i = 0; i < 100; i++) await send(p!, { timestamp: (now - 120 * DAY + i * 1000) / 1000, message: `ancient ${i % 3}`, tags: { age: 'ancient' } });
    for (let i = 0; i < 10; i++) await send(p!, { timestamp: (now - 10 * DAY) / 1000, message: 'recent-ish', tags: { age: 'ten-days' } });
    for (let i = 0; i < 5; i++) await send(p!, { message: 'fresh', tags: { age: 'today' } });
    await until('the 120-day-old events to be purged', async () => (await events(p!.id, 'age:ancient')).length === 0);
    assert.equal((await events(p!.id)).length, 15);
    const issues = (await server.api<Array<{ title: string }>>(`/api/0/projects/${p!.id}/issues/?query=ancient`)).body;
    assert.deepEqual(issues, [], 'issues whose every event aged out are gone');

    const settings = await server.api(`/api/0/projects/${p!.id}/retention/`, { method: 'PUT', body: { retentionDays: 5 } });
    assert.equal(settings.status, 200);
    assert.equal(settings.body.effectiveRetentionDays, 5);
    assert.equal(settings.body.defaultRetentionDays, 90);
    await until('the 10-day-old events to be purged', async () => (await events(p!.id, 'age:ten-days')).length === 0);
    assert.equal((await events(p!.id, 'age:today')).length, 5);
    const bad = await server.api(`/api/0/projects/${p!.id}/retention/`, { method: 'PUT', body: { retentionDays: 0 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_body');
  });

  test('deleting an issue and an event over the API; both are gone, a second delete is 404', async () => {
    const [, p] = projects;
    for (let i = 0; i < 30; i++) await send(p!, { message: 'delete me', fingerprint: ['doomed'] });
    const kept = await send(p!, { message: 'keep me', fingerprint: ['kept'] });
    const single = await send(p!, { message: 'keep me', fingerprint: ['kept'] });
    const doomed = (await server.api<Array<{ id: number; count: number }>>(`/api/0/projects/${p!.id}/issues/?query=${encodeURIComponent('"delete me"')}`)).body[0]!;
    const deleted = await server.api(`/api/0/issues/${doomed.id}/`, { method: 'DELETE' });
    assert.deepEqual([deleted.status, deleted.body], [200, { events: 30 }]);
    assert.equal((await server.api(`/api/0/issues/${doomed.id}/`)).status, 404);
    assert.equal((await server.api(`/api/0/issues/${doomed.id}/`, { method: 'DELETE' })).status, 404);

    const one = await server.api(`/api/0/projects/${p!.id}/events/${single}/`, { method: 'DELETE' });
    assert.deepEqual([one.status, one.body], [200, { events: 1 }]);
    assert.equal((await server.api(`/api/0/projects/${p!.id}/events/${single}/`)).status, 404);
    assert.equal((await server.api(`/api/0/projects/${p!.id}/events/${single}/`, { method: 'DELETE' })).status, 404);
    assert.equal((await server.api(`/api/0/projects/${p!.id}/events/${kept}/`)).status, 200);
    const keptIssue = (await server.api<Array<{ count: number }>>(`/api/0/projects/${p!.id}/issues/?query=${encodeURIComponent('"keep me"')}`)).body[0]!;
    assert.equal(keptIssue.count, 1, "the deleted event left its issue's count");
  });

  test('GDPR erasure by e-mail over the API and by user id from the CLI removes that person in every project, and no one else', async () => {
    const [a, b] = projects;
    for (const p of [a!, b!]) {
      for (let i = 0; i < 4; i++) await send(p, { message: 'privacy', user: { id: 'u-ada', email: 'ada@example.com' } });
      for (let i = 0; i < 3; i++) await send(p, { message: 'privacy', user: { id: 'u-bob', email: 'bob@example.com' } });
    }
    assert.equal((await events(a!.id, 'user.email:ada@example.com')).length, 4);
    const refused = await server.api('/api/0/erasures/', { body: { userId: 'x', email: 'y@example.com' } });
    assert.equal(refused.status, 400);
    const erased = await server.api('/api/0/erasures/', { body: { email: 'ada@example.com' } });
    assert.equal(erased.status, 200);
    assert.equal(erased.body.events, 8);
    for (const p of [a!, b!]) {
      assert.equal((await events(p.id, 'user.email:ada@example.com')).length, 0);
      assert.equal((await events(p.id, 'user.id:u-ada')).length, 0);
      assert.equal((await events(p.id, 'user.email:bob@example.com')).length, 3);
    }
    const audit = (await server.api<Array<{ action: string; details: Record<string, unknown> }>>('/api/0/audit-log/')).body;
    const entry = audit.find((e) => e.action === 'user.erased')!;
    assert.ok(entry && !JSON.stringify(entry).includes('ada@example.com'), 'the audit log never names the person erased');

    const cli = await run(process.execPath, [cliPath, 'erase-user', '--user-id', 'u-bob', '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
    assert.equal(JSON.parse(cli.stdout).events, 6);
    for (const p of [a!, b!]) assert.equal((await events(p.id, 'user.id:u-bob')).length, 0);
    // A later event of the same person is stored and found again.
    await send(a!, { message: 'privacy', user: { id: 'u-bob' } });
    assert.equal((await events(a!.id, 'user.id:u-bob')).length, 1);
  });

  test('a project over its storage budget loses its oldest events first, down to the budget', async () => {
    const project = (await server.api('/api/0/projects/', { body: { name: 'Budget' } })).body;
    const p = { id: String(project.id), publicKey: project.publicKey as string };
    const now = Date.now();
    // Random base64 compresses only to its 6 bits per character: ~45 KB stored per event, ~1.8 MB in all.
    for (let i = 0; i < 40; i++) {
      await send(p, { timestamp: (now - (40 - i) * 3_600_000) / 1000, message: `sized ${i}`, fingerprint: ['sized'], extra: { blob: randomBytes(45_000).toString('base64') }, tags: { n: String(i) } });
    }
    const before = (await server.api(`/api/0/projects/${p.id}/retention/`)).body;
    assert.ok(before.storageBytes > 1_500_000, `stored ${before.storageBytes} bytes`);
    const set = await server.api(`/api/0/projects/${p.id}/retention/`, { method: 'PUT', body: { storageBudgetBytes: 1_048_576 } });
    assert.equal(set.body.storageBudgetBytes, 1_048_576);
    const left = await until('the project to fit its budget', async () => {
      const settings = (await server.api(`/api/0/projects/${p.id}/retention/`)).body;
      return settings.storageBytes <= 1_048_576 && (await events(p.id));
    });
    assert.ok(left.length >= 10 && left.length <= 24, `${left.length} events kept`);
    assert.equal((await events(p.id, 'n:39')).length, 1, 'the newest event is kept');
    assert.equal((await events(p.id, 'n:0')).length, 0, 'the oldest went first');
  });
});
