import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';

const run = promisify(execFile);
let server: RunningServer;

/** Sends one error event with the given type, tags and user through the public ingest path. */
async function send(type: string, tags: Record<string, string>, user?: Record<string, string>, projectId = server.projectId, key = server.publicKey) {
  const id = randomUUID().replace(/-/g, '');
  const event = { event_id: id, exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] }, tags, user };
  const res = await fetch(`${server.url}/api/${projectId}/envelope/?sentry_key=${key}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
  });
  assert.equal(res.status, 200);
  return id;
}

before(async () => {
  server = await startServer();
  for (let i = 0; i < 6; i++) await send('CheckoutError', { tier: i < 4 ? 'enterprise' : 'free', region: 'eu' }, { id: `u${i % 3}` });
  for (let i = 0; i < 2; i++) await send('SearchError', { tier: 'free', region: 'us' }, { id: 'u9' });
  await send('ReportError', { tier: 'enterprise', region: 'us' });
});
after(async () => {
  await server.stop();
});

const issues = (query: string) => server.api(`/api/0/projects/${server.projectId}/issues/?${query}`);
const titles = (list: Array<{ title: string }>) => list.map((i) => i.title.split(':')[0]).sort();

test('the query API needs a valid bearer token', async () => {
  assert.equal((await fetch(`${server.url}/api/0/projects/`)).status, 401);
  const bad = await server.api('/api/0/projects/', { token: 'pft_wrong' });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error.code, 'unauthorized');
});

test('projects list with their DSN, and a project has keys', async () => {
  const list = await server.api('/api/0/projects/');
  assert.equal(list.body[0].dsn, server.dsn);
  const keys = await server.api(`/api/0/projects/${server.projectId}/keys/`);
  assert.equal(keys.body[0].publicKey, server.publicKey);
  assert.equal((await server.api('/api/0/projects/4242/')).status, 404);
});

test('issues filter by tags (ANDed), status and free text', async () => {
  assert.deepEqual(titles((await issues('query=tier:enterprise')).body), ['CheckoutError', 'ReportError']);
  assert.deepEqual(titles((await issues('query=tier:enterprise region:us')).body), ['ReportError']);
  assert.deepEqual(titles((await issues('query=!tier:enterprise')).body), ['SearchError']);
  assert.deepEqual(titles((await issues('query=is:unresolved Search')).body), ['SearchError']);
  assert.deepEqual(titles((await issues('query=tier:ent*')).body), ['CheckoutError', 'ReportError']);
  const bad = await issues('query=tier:"unterminated');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_query');
});

test('issues sort by frequency and users, and page with a cursor', async () => {
  const byFreq = (await issues('sort=freq')).body;
  assert.deepEqual(byFreq.map((i: { count: number }) => i.count), [6, 2, 1]);
  const byUsers = (await issues('sort=users')).body;
  assert.equal(byUsers[0].userCount, 3);
  const first = await fetch(`${server.url}/api/0/projects/${server.projectId}/issues/?sort=freq&limit=2`, { headers: { authorization: `Bearer ${server.adminToken}` } });
  const cursor = first.headers.get('x-next-cursor');
  assert.ok(cursor);
  assert.match(first.headers.get('link') ?? '', /rel="next"/);
  const second = (await issues(`sort=freq&limit=2&cursor=${cursor}`)).body;
  assert.deepEqual(second.map((i: { count: number }) => i.count), [1]);
  assert.equal((await issues('cursor=garbage')).status, 400);
  assert.equal((await issues('sort=sideways')).status, 400);
  assert.equal((await issues('limit=0')).status, 400);
});

test('issue tag distribution gives counts and percentages of the issue events', async () => {
  const [issue] = (await issues('query=CheckoutError')).body;
  assert.equal(issue.count, 6);
  assert.equal(issue.userCount, 3);
  const tags = (await server.api(`/api/0/issues/${issue.id}/tags/`)).body as Array<{ key: string; totalValues: number; topValues: Array<{ value: string; count: number; percentage: number }> }>;
  const tier = tags.find((t) => t.key === 'tier')!;
  assert.equal(tier.totalValues, 6);
  assert.deepEqual(tier.topValues.map((v) => [v.value, v.count, v.percentage]), [['enterprise', 4, 66.67], ['free', 2, 33.33]]);
  const single = await server.api(`/api/0/issues/${issue.id}/tags/tier/`);
  assert.equal(single.body.topValues.length, 2);
  assert.equal((await server.api(`/api/0/issues/${issue.id}/tags/nope/`)).status, 404);
  const keys = (await server.api(`/api/0/projects/${server.projectId}/tags/`)).body;
  assert.deepEqual(keys.find((k: { key: string }) => k.key === 'tier'), { key: 'tier', uniqueValues: 2 });
});

test('issue events list and full event detail', async () => {
  const [issue] = (await issues('query=SearchError')).body;
  const events = (await server.api(`/api/0/issues/${issue.id}/events/`)).body;
  assert.equal(events.length, 2);
  const detail = (await server.api(`/api/0/projects/${server.projectId}/events/${events[0].eventId}/`)).body;
  const latest = (await server.api(`/api/0/issues/${issue.id}/events/latest/`)).body;
  assert.equal(latest.eventId, events[0].eventId);
  assert.deepEqual([latest.previousEventId, latest.nextEventId], [events[1].eventId, null]);
  assert.equal(detail.issueId, issue.id);
  assert.equal(detail.tags.region, 'us');
  assert.deepEqual(detail.user, { id: 'u9' });
  assert.equal(detail.exception.values[0].type, 'SearchError');
});

test('status changes validate their input', async () => {
  const [issue] = (await issues('query=ReportError')).body;
  const bad = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'deleted' } });
  assert.equal(bad.status, 400);
  const ignored = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'ignored' } });
  assert.equal(ignored.body.status, 'ignored');
  assert.deepEqual(titles((await issues('query=is:ignored')).body), ['ReportError']);
});

test("a project-scoped token sees its project only; other projects' data does not exist for it", async () => {
  const other = (await server.api('/api/0/projects/', { body: { name: 'Billing' } })).body;
  await send('BillingError', { tier: 'free' }, undefined, other.id, other.publicKey);
  const { stdout } = await run(process.execPath, [cliPath, 'token', 'create', '--name', 'billing-ci', '--project', String(other.id), '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
  const token = stdout.trim();
  const projects = await server.api('/api/0/projects/', { token });
  assert.deepEqual(projects.body.map((p: { id: number }) => p.id), [other.id]);
  assert.equal((await server.api(`/api/0/projects/${server.projectId}/issues/`, { token })).status, 404);
  const [mine] = (await server.api(`/api/0/projects/${other.id}/issues/`, { token })).body;
  assert.equal(mine.title, 'BillingError: failed');
  const [foreign] = (await issues('query=CheckoutError')).body;
  assert.equal((await server.api(`/api/0/issues/${foreign.id}/`, { token })).status, 404);
  assert.equal((await server.api(`/api/0/issues/${foreign.id}/tags/`, { token })).status, 404);
});

test('the CLI creates and lists projects while the server runs, and explains bad usage', async () => {
  const created = JSON.parse((await run(process.execPath, [cliPath, 'project', 'create', 'Mobile API', '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } })).stdout);
  assert.equal(created.slug, 'mobile-api');
  assert.match(created.publicKey, /^pk_mobile_api_[0-9a-f]{24}$/);
  assert.match(created.dsn, new RegExp(`^http://${created.publicKey}@.+/${created.id}$`));
  await send('MobileError', {}, undefined, String(created.id), created.publicKey);
  const listed = JSON.parse((await run(process.execPath, [cliPath, 'project', 'list', '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } })).stdout);
  assert.ok(listed.some((p: { id: number }) => p.id === created.id));
  await assert.rejects(run(process.execPath, [cliPath, 'project', 'frobnicate']), (error: { code: number; stderr: string }) => error.code === 2 && /unknown project command/.test(error.stderr));
  await assert.rejects(run(process.execPath, [cliPath, 'serve', '--port', 'abc', '--data-dir', server.dataDir]), (error: { stderr: string }) => /invalid port/.test(error.stderr));
  const help = (await run(process.execPath, [cliPath, 'serve', '--help'])).stdout;
  assert.match(help, /--data-dir/);
});

test('unknown routes and bad JSON bodies are JSON 4xx errors', async () => {
  const missing = await server.api('/api/0/nothing/');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
  const res = await fetch(`${server.url}/api/0/projects/`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, body: '{broken' });
  assert.equal(res.status, 400);
  assert.ok((await res.json()).error.message);
});

test('projects are created and issue statuses change while events are being ingested, and no event is refused', async () => {
  let sending = true;
  const sender = async () => {
    while (sending) await send('BusyError', { tier: 'free' });
  };
  await send('BusyError', { tier: 'free' });
  const senders = [sender(), sender(), sender()];
  try {
    const [busy] = (await issues('query=BusyError')).body;
    for (let i = 0; i < 15; i++) {
      const created = await server.api('/api/0/projects/', { body: { name: `Busy ${i}` } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const changed = await server.api(`/api/0/issues/${busy.id}/`, { method: 'PUT', body: { status: i % 2 ? 'resolved' : 'unresolved' } });
      assert.equal(changed.status, 200);
    }
  } finally {
    sending = false;
    await Promise.all(senders);
  }
});

test('a project key is rotated: the new key ingests, the revoked one is refused at once, the last key stays', async () => {
  const project = (await server.api('/api/0/projects/', { body: { name: 'Rotation' } })).body;
  const created = await server.api(`/api/0/projects/${project.id}/keys/`, { body: { label: 'ci 2026-11' } });
  assert.equal(created.status, 201);
  assert.match(created.body.dsn, new RegExp(`^http://${created.body.publicKey}@`));
  await send('RotatedError', {}, undefined, project.id, created.body.publicKey);
  await send('RotatedError', {}, undefined, project.id, project.publicKey); // the old key, cached by ingest
  assert.equal((await server.api(`/api/0/projects/${project.id}/keys/${project.publicKey}/`, { method: 'DELETE' })).status, 204);
  const refused = await fetch(`${server.url}/api/${project.id}/envelope/?sentry_key=${project.publicKey}`, { method: 'POST', body: '{}\n' });
  assert.equal(refused.status, 403);
  const keys = (await server.api(`/api/0/projects/${project.id}/keys/`)).body;
  assert.deepEqual(keys.map((k: { label: string }) => k.label), ['ci 2026-11']);
  const last = await server.api(`/api/0/projects/${project.id}/keys/${created.body.publicKey}/`, { method: 'DELETE' });
  assert.equal(last.status, 409);
  assert.equal(last.body.error.code, 'last_key');
  assert.equal((await server.api(`/api/0/projects/${project.id}/keys/pk_nope/`, { method: 'DELETE' })).status, 404);
  assert.equal((await server.api(`/api/0/projects/${project.id}/keys/`, { body: { label: '' } })).status, 400);
});

/** One OTLP/JSON log record through the OTLP ingest path, with the given project key. */
async function sendOtlpLog(key: string) {
  const record = { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), severityText: 'INFO', body: { stringValue: 'key check' } };
  const response = await fetch(`${server.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-proliferate-key': key },
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}

test('a revoked key is refused at once by OTLP ingest too, though OTLP had just accepted (and cached) it', async () => {
  const project = (await server.api('/api/0/projects/', { body: { name: 'OTLP rotation' } })).body;
  const spare = await server.api(`/api/0/projects/${project.id}/keys/`, { body: { label: 'spare' } });
  assert.equal(spare.status, 201);
  // Both ingest paths look the key up now and remember it.
  assert.equal((await sendOtlpLog(project.publicKey)).status, 200);
  await send('OtlpRotation', {}, undefined, project.id, project.publicKey);
  assert.equal((await server.api(`/api/0/projects/${project.id}/keys/${project.publicKey}/`, { method: 'DELETE' })).status, 204);
  const refused = await sendOtlpLog(project.publicKey);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error?.code, 'invalid_key');
  const envelope = await fetch(`${server.url}/api/${project.id}/envelope/?sentry_key=${project.publicKey}`, { method: 'POST', body: '{}\n' });
  assert.equal(envelope.status, 403);
  // The key that stays keeps working on both paths.
  assert.equal((await sendOtlpLog(spare.body.publicKey)).status, 200);
  await send('OtlpRotation', {}, undefined, project.id, spare.body.publicKey);
});

test('the CLI lists tokens without their secrets and revokes one, which the running server then refuses', async () => {
  const cli = (...args: string[]) => run(process.execPath, [cliPath, ...args, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
  const token = (await cli('token', 'create', '--name', 'leaked-in-ci')).stdout.trim();
  assert.equal((await server.api('/api/0/projects/', { token })).status, 200);
  const listed = JSON.parse((await cli('token', 'list')).stdout) as Array<{ id: number; name: string; projectId: number | null }>;
  const entry = listed.find((t) => t.name === 'leaked-in-ci')!;
  assert.equal(entry.projectId, null);
  assert.ok(!JSON.stringify(listed).includes(token), 'the list never shows a token');
  assert.match((await cli('token', 'revoke', String(entry.id))).stdout, /revoked/);
  assert.equal((await server.api('/api/0/projects/', { token })).status, 401);
  await assert.rejects(cli('token', 'revoke', String(entry.id)), (error: { code: number; stderr: string }) => error.code === 2 && /no token with id/.test(error.stderr));
});
