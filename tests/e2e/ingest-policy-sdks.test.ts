/**
 * The official SDKs against ingest policies: `@sentry/node` and Python `sentry-sdk` get a 429 with
 * X-Sentry-Rate-Limits and stop sending errors for the window it names, then send again; a real
 * `@sentry/node` event full of secrets is stored scrubbed, with notes that do not hold the values,
 * and so is a real `@sentry/node` transaction (its tags are the trace's tags, which trace search reads).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lastJsonLine, runFixture } from '../helpers/official-clients.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

const nodeFixture = fileURLToPath(new URL('./fixtures/sentry-node-policy.mjs', import.meta.url));
const pythonFixture = fileURLToPath(new URL('./fixtures/sentry_python_ratelimit.py', import.meta.url));
const python = join(repoRoot, '.venv/bin/python');
// 6 a minute with a burst of 1: after the first event the bucket is empty and a 429 says "retry
// after 10 s"; the fourth event, sent 11 s later, finds a token again.
const LIMIT = { perMinute: 6, burst: 1 };
const WAIT_MS = 11_000;
const SECRETS = { SECRET_API_KEY: 'sk_live_node_0123456789', SECRET_PASSWORD: 'node-hunter2', SECRET_CARD: '5555 5555 5555 4444', SECRET_BEARER: 'node0123456789abcdef' };

const policy = (change: Record<string, unknown>) => ({
  rateLimit: null,
  keyRateLimits: {},
  spikeProtection: null,
  filters: { messagePatterns: [], releases: [], environments: [], browserExtensions: false },
  scrubbing: { defaults: true, extraKeys: [], extraPatterns: [], dropIpAddresses: false },
  ...change,
});

describe('official SDKs and ingest policies', { timeout: 180_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  async function limitedProject(name: string) {
    const created = await server.api('/api/0/projects/', { method: 'POST', body: { name } });
    assert.equal(created.status, 201);
    const put = await server.api(`/api/0/projects/${created.body.id}/ingest-policy/`, { method: 'PUT', body: policy({ rateLimit: LIMIT }) });
    assert.equal(put.status, 200);
    return created.body as { id: number; dsn: string };
  }

  const stored = async (projectId: number, id: string) => (await server.api(`/api/0/projects/${projectId}/events/${id}/`)).status === 200;
  const rateLimited = async (projectId: number) => {
    const answer = await server.api(`/api/0/projects/${projectId}/outcomes/`);
    return (answer.body.totals as Array<{ outcome: string; count: number }>).filter((r) => r.outcome === 'rate_limited').reduce((n, r) => n + r.count, 0);
  };

  test('@sentry/node gets a 429, does not send the next error within the window, and sends again after it', async () => {
    const project = await limitedProject('Node limited');
    const out = lastJsonLine<{ ids: string[]; responses: Array<{ items: string[]; status: number | null }> }>(
      await runFixture('node', [nodeFixture, 'ratelimit', String(WAIT_MS)], { SENTRY_DSN: project.dsn }, repoRoot),
    );
    // Only the sends that carried an error event (the SDK also sends sessions and client reports).
    const events = out.responses.filter((r) => r.items.includes('event'));
    assert.deepEqual(events.map((r) => r.status), [200, 429, null, 200], 'the third capture never reached the network');
    const kept = await Promise.all(out.ids.map((id) => stored(project.id, id.replace(/-/g, ''))));
    assert.deepEqual(kept, [true, false, false, true]);
    assert.equal(await rateLimited(project.id), 1, 'the server saw only the one refused request');
  });

  test('Python sentry-sdk gets a 429, does not send within the window, and sends again after it', async () => {
    assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
    const project = await limitedProject('Python limited');
    const out = lastJsonLine<{ ids: string[] }>(await runFixture(python, [pythonFixture, String(WAIT_MS)], { SENTRY_DSN: project.dsn }, repoRoot));
    const kept = await Promise.all(out.ids.map((id) => stored(project.id, id)));
    assert.deepEqual(kept, [true, false, false, true]);
    assert.equal(await rateLimited(project.id), 1, 'the third event was held back by the SDK, not refused by the server');
  });

  test('a real @sentry/node event is scrubbed before it is stored, with a note per removal and no value in the notes', async () => {
    const out = lastJsonLine<{ id: string; responses: Array<{ status: number | null }> }>(
      await runFixture('node', [nodeFixture, 'scrub'], { SENTRY_DSN: server.dsn, ...SECRETS }, repoRoot),
    );
    assert.ok(out.responses.every((r) => r.status === 200));
    const project = server.projectId;
    const answer = await server.api(`/api/0/projects/${project}/events/${out.id.replace(/-/g, '')}/`);
    assert.equal(answer.status, 200);
    const text = JSON.stringify(answer.body);
    for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `${secret} was stored`);
    assert.ok(text.includes('REF-424242'), 'a key that is not a secret by default is kept');
    assert.match(text, /card \[Filtered\] declined/);
    const notes = text.match(/\{"type":"scrubbed"[^}]*\}/g) ?? [];
    const paths = notes.map((n) => JSON.parse(n).path as string);
    for (const path of ['tags.api_key', 'extra.password']) assert.ok(paths.includes(path), `no note for ${path}: ${paths.join(', ')}`);
    assert.ok(paths.some((p) => p.startsWith('exception')), 'the exception message was scrubbed');
    assert.ok(paths.some((p) => p.startsWith('breadcrumbs')), 'the breadcrumb was scrubbed');
    assert.ok(notes.every((n) => !/5555|hunter2|sk_live/.test(n)), 'notes hold no value');
  });

  test('a real @sentry/node transaction has its trace tags and span data scrubbed by the default and the project rules, with notes and no values', async () => {
    const created = await server.api('/api/0/projects/', { method: 'POST', body: { name: 'Node traces scrubbed' } });
    assert.equal(created.status, 201);
    const project = created.body as { id: number; dsn: string };
    const scrubbing = { defaults: true, extraKeys: ['internal_ref'], extraPatterns: ['ORD-\\d+-XYZ'], dropIpAddresses: false };
    assert.equal((await server.api(`/api/0/projects/${project.id}/ingest-policy/`, { method: 'PUT', body: policy({ scrubbing }) })).status, 200);
    const out = lastJsonLine<{ traceId: string; responses: Array<{ items: string[]; status: number | null }> }>(
      await runFixture('node', [nodeFixture, 'trace'], { SENTRY_DSN: project.dsn, ...SECRETS }, repoRoot),
    );
    assert.ok(out.responses.some((r) => r.items.includes('transaction') && r.status === 200), JSON.stringify(out.responses));
    const answer = await server.api(`/api/0/traces/${out.traceId}/`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const trace = answer.body;
    const text = JSON.stringify(trace);
    for (const secret of [...Object.values(SECRETS), 'REF-424242', 'ORD-777-XYZ']) assert.ok(!text.includes(secret), `${secret} was stored`);
    assert.equal(trace.tags.api_key, '[Filtered]');
    assert.equal(trace.tags.payment_note, 'card [Filtered]');
    assert.equal(trace.tags.internal_ref, '[Filtered]');
    assert.equal(trace.tags.order_code, '[Filtered]');
    assert.equal(trace.tags.flag_variant, 'b', 'a tag that holds no secret is kept');
    const root = trace.spans[0];
    const notes = (root.data['proliferate.scrubbed'] as Array<{ path: string; rule: string }>).map((n) => `${n.path} ${n.rule}`).sort();
    for (const note of ['tags.api_key secret_key', 'tags.payment_note credit_card', 'tags.internal_ref project_key', 'tags.order_code project_pattern']) {
      assert.ok(notes.includes(note), `no note ${note}: ${notes.join(', ')}`);
    }
    const child = root.children[0];
    assert.equal(child.data['db.password'], '[Filtered]');
    assert.deepEqual(child.data['proliferate.scrubbed'], [{ path: 'data.db.password', rule: 'secret_key' }]);
    assert.ok(!/5555|hunter2|sk_live|REF-4|ORD-7/.test(JSON.stringify([root.data['proliferate.scrubbed'], child.data['proliferate.scrubbed']])), 'notes hold no value');
    // Trace search reads the stored tags: the secret is not found, the filtered value is.
    const search = async (filter: string) => (await server.api(`/api/0/projects/${project.id}/traces/?filter=${encodeURIComponent(filter)}`)).body as unknown[];
    assert.equal((await search(`tags.api_key = '${SECRETS.SECRET_API_KEY}'`)).length, 0);
    assert.equal((await search("tags.api_key = '[Filtered]'")).length, 1);
  });
});
