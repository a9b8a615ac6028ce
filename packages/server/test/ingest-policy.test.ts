/**
 * Rate limits, inbound filters, scrubbing, client reports, the bounded ingest queue and /metrics,
 * against the real server (built CLI) over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { PROLIFERATE_METRICS_TOKEN: METRICS_TOKEN, PROLIFERATE_INGEST_QUEUE: '4' } });
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const errorEvent = (extra: Record<string, unknown> = {}) => ({
  event_id: newId(),
  exception: { values: [{ type: 'PolicyTestError', value: 'boom', stacktrace: { frames: [{ function: 'handler', filename: 'policy.js' }] } }] },
  ...extra,
});
const envelopeOf = (items: Array<[string, object]>) =>
  `{}\n${items.map(([type, payload]) => `${JSON.stringify({ type })}\n${JSON.stringify(payload)}`).join('\n')}\n`;

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: any }

async function send(path: string, body: string, key = server.publicKey, projectId = server.projectId): Promise<Answer> {
  const response = await fetch(`${server.url}/api/${projectId}/${path}/?sentry_key=${key}`, { method: 'POST', body });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: text ? JSON.parse(text) : null };
}

async function newProject(name: string): Promise<{ id: number; publicKey: string }> {
  const created = await server.api('/api/0/projects/', { method: 'POST', body: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

const basePolicy = {
  rateLimit: null,
  keyRateLimits: {},
  spikeProtection: null,
  filters: { messagePatterns: [], releases: [], environments: [], browserExtensions: false },
  scrubbing: { defaults: true, extraKeys: [], extraPatterns: [], dropIpAddresses: false },
};

async function putPolicy(projectId: number, change: Record<string, unknown>) {
  return server.api(`/api/0/projects/${projectId}/ingest-policy/`, { method: 'PUT', body: { ...basePolicy, ...change } });
}

async function outcomes(projectId: number) {
  const answer = await server.api(`/api/0/projects/${projectId}/outcomes/?period=24h`);
  assert.equal(answer.status, 200);
  return answer.body.totals as Array<{ outcome: string; reason: string; category: string; count: number }>;
}

const countOf = (rows: Awaited<ReturnType<typeof outcomes>>, outcome: string, reason: string) =>
  rows.filter((r) => r.outcome === outcome && r.reason === reason).reduce((n, r) => n + r.count, 0);

describe('ingest policy API', () => {
  test('a project without a policy answers the defaults; a bad regular expression or a foreign key is refused with the field named', async () => {
    const project = await newProject('Policy defaults');
    const read = await server.api(`/api/0/projects/${project.id}/ingest-policy/`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.policy, basePolicy);
    const badRegex = await putPolicy(project.id, { scrubbing: { ...basePolicy.scrubbing, extraPatterns: ['(a+)+$'] } });
    assert.equal(badRegex.status, 400);
    assert.equal(badRegex.body.error.field, 'body.scrubbing.extraPatterns[0]');
    assert.match(badRegex.body.error.message, /catastrophic backtracking/);
    const foreignKey = await putPolicy(project.id, { keyRateLimits: { [server.publicKey]: { perMinute: 1, burst: 1 } } });
    assert.equal(foreignKey.status, 400);
    assert.match(foreignKey.body.error.message, /not an active key of this project/);
    const negative = await putPolicy(project.id, { rateLimit: { perMinute: -5, burst: 1 } });
    assert.equal(negative.status, 400);
  });
});

describe('rate limits', () => {
  test('past the project limit ingest answers 429 with Retry-After and X-Sentry-Rate-Limits, and counts the drop', async () => {
    const project = await newProject('Limited');
    assert.equal((await putPolicy(project.id, { rateLimit: { perMinute: 1, burst: 2 } })).status, 200);
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await send('envelope', envelopeOf([['event', errorEvent()]]), project.publicKey, String(project.id)));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 429]);
    const refused = answers[2]!;
    assert.equal(refused.body.error.code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.match(String(refused.headers['x-sentry-rate-limits']), /^\d+:error;default;transaction:project:project_quota$/);
    const legacy = await send('store', JSON.stringify(errorEvent()), project.publicKey, String(project.id));
    assert.equal(legacy.status, 429);
    assert.equal(countOf(await outcomes(project.id), 'rate_limited', 'project_quota'), 2);
  });

  test('a key limit refuses that key only (scope key); a limited envelope keeps its other items and says so in the header', async () => {
    const project = await newProject('Key limited');
    const second = await server.api(`/api/0/projects/${project.id}/keys/`, { method: 'POST', body: { label: 'noisy' } });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    const noisy = second.body.publicKey as string;
    assert.equal((await putPolicy(project.id, { keyRateLimits: { [noisy]: { perMinute: 1, burst: 1 } } })).status, 200);
    assert.equal((await send('envelope', envelopeOf([['event', errorEvent()]]), noisy, String(project.id))).status, 200);
    const mixed = await send('envelope', envelopeOf([['event', errorEvent()], ['client_report', { discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 4 }] }], ['check_in', { check_in_id: newId(), monitor_slug: 'nightly', status: 'ok' }]]), noisy, String(project.id));
    assert.equal(mixed.status, 200, 'the check-in is kept');
    assert.match(String(mixed.headers['x-sentry-rate-limits']), /:key:key_quota$/);
    assert.equal((await send('envelope', envelopeOf([['event', errorEvent()]]), project.publicKey, String(project.id))).status, 200, 'the other key is not limited');
    const counts = await outcomes(project.id);
    assert.equal(countOf(counts, 'rate_limited', 'key_quota'), 1);
    assert.equal(countOf(counts, 'client_discard', 'queue_overflow'), 4, "the SDK's client report is counted");
  });
});

describe('inbound filters', () => {
  test('events matching an environment, a release glob, a message glob or browser-extension noise are not stored, and are counted by reason', async () => {
    const project = await newProject('Filtered');
    const filters = { messagePatterns: ['*ChunkLoadError*'], releases: ['1.0.*'], environments: ['staging'], browserExtensions: true };
    assert.equal((await putPolicy(project.id, { filters })).status, 200);
    const dropped = [
      errorEvent({ environment: 'staging' }),
      errorEvent({ release: '1.0.7' }),
      errorEvent({ exception: { values: [{ type: 'ChunkLoadError', value: 'Loading chunk 7 failed' }] } }),
      errorEvent({ exception: { values: [{ type: 'TypeError', value: 'x is undefined', stacktrace: { frames: [{ function: 'inject', abs_path: 'chrome-extension://abcdef/content.js' }] } }] } }),
    ];
    const kept = errorEvent({ environment: 'production', release: '1.1.0' });
    for (const event of [...dropped, kept]) assert.equal((await send('store', JSON.stringify(event), project.publicKey, String(project.id))).status, 200);
    for (const event of dropped) assert.equal((await server.api(`/api/0/projects/${project.id}/events/${event.event_id}/`)).status, 404);
    assert.equal((await server.api(`/api/0/projects/${project.id}/events/${kept.event_id}/`)).status, 200);
    const counts = await outcomes(project.id);
    for (const reason of ['environment', 'release', 'error_message', 'browser_extension']) assert.equal(countOf(counts, 'filtered', reason), 1, reason);
  });
});

describe('scrubbing', () => {
  test('default and project rules remove secrets before storage; each removal is a note without the value; IP addresses are never kept when asked', async () => {
    const project = await newProject('Scrubbed');
    const scrubbing = { defaults: true, extraKeys: ['internal_ref'], extraPatterns: ['ACME-[0-9]{6}'], dropIpAddresses: true };
    assert.equal((await putPolicy(project.id, { scrubbing })).status, 200);
    const secrets = ['hunter2-secret', '4111 1111 1111 1111', '078-05-1120', 'sk_live_abcdef123456', 'ref-998877', 'ACME-123456', 'Bearer abcdefghijklmnop'];
    const event = errorEvent({
      message: `payment with card 4111 1111 1111 1111 failed for ACME-123456`,
      extra: { password: 'hunter2-secret', order: 42, not_a_card: '4111 1111 1111 1112' },
      tags: { api_key: 'sk_live_abcdef123456', ssn_hint: '078-05-1120', tier: 'gold' },
      contexts: { billing: { internal_ref: 'ref-998877' } },
      breadcrumbs: [{ message: 'auth with Bearer abcdefghijklmnop', category: 'http' }],
      request: { url: 'https://shop.example/pay', headers: { Authorization: 'Bearer abcdefghijklmnop', Cookie: 'sid=1', 'X-Forwarded-For': '203.0.113.9' } },
      user: { id: 'u-1', ip_address: '203.0.113.9' },
    });
    assert.equal((await send('store', JSON.stringify(event), project.publicKey, String(project.id))).status, 200);
    const stored = await server.api(`/api/0/projects/${project.id}/events/${event.event_id}/`);
    assert.equal(stored.status, 200);
    const text = JSON.stringify(stored.body);
    for (const secret of [...secrets, '203.0.113.9']) assert.ok(!text.includes(secret), `${secret} was stored`);
    assert.ok(text.includes('4111 1111 1111 1112'), 'a number that fails the Luhn check is kept');
    assert.equal(stored.body.extra?.order, 42);
    const notes = (JSON.stringify(stored.body).match(/"type":"scrubbed","path":"[^"]+","rule":"[^"]+"/g) ?? []).join('\n');
    for (const path of ['extra.password', 'tags.api_key', 'tags.ssn_hint', 'contexts.billing.internal_ref', 'request.headers.Authorization', 'user.ip_address', 'message']) {
      assert.ok(notes.includes(`"path":"${path}"`), `no note for ${path}: ${notes}`);
    }
  });

  test('spans of a Sentry transaction and Sentry log items are scrubbed too, with notes in their data and attributes', async () => {
    const project = await newProject('Scrubbed telemetry');
    const traceId = newId();
    const now = Date.now() / 1000;
    const transaction = {
      type: 'transaction', event_id: newId(), transaction: 'POST /pay', start_timestamp: now - 1, timestamp: now,
      contexts: { trace: { trace_id: traceId, span_id: newId().slice(0, 16), op: 'http.server', data: { 'http.request.header.authorization': 'Bearer abcdefghijklmnop' } } },
      spans: [{ trace_id: traceId, span_id: newId().slice(0, 16), op: 'db', description: "UPDATE cards SET number = '4111 1111 1111 1111'", start_timestamp: now - 0.5, timestamp: now - 0.4, data: { 'db.password': 'hunter2-secret' } }],
    };
    const log = { items: [{ timestamp: now, level: 'warn', body: 'declined card 4111 1111 1111 1111', trace_id: traceId, attributes: { api_key: { value: 'sk_live_abcdef123456', type: 'string' }, attempt: { value: 2, type: 'integer' } } }] };
    const answer = await send('envelope', envelopeOf([['transaction', transaction], ['log', log]]), project.publicKey, String(project.id));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const stored = await server.api(`/api/0/traces/${traceId}/`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    const text = JSON.stringify(stored.body);
    for (const secret of ['hunter2-secret', '4111 1111 1111 1111', 'sk_live_abcdef123456', 'abcdefghijklmnop']) assert.ok(!text.includes(secret), `${secret} was stored`);
    const child = stored.body.spans[0].children[0];
    assert.equal(child.name, "UPDATE cards SET number = '[Filtered]'");
    assert.deepEqual(child.data['proliferate.scrubbed'], [{ path: 'name', rule: 'credit_card' }, { path: 'data.db.password', rule: 'secret_key' }]);
    assert.equal(stored.body.logs[0].attributes.attempt, 2);
    assert.deepEqual(stored.body.logs[0].attributes['proliferate.scrubbed'].map((n: { rule: string }) => n.rule).sort(), ['credit_card', 'secret_key']);
  });

  test('a client cannot forge scrub notes', async () => {
    const event = errorEvent({ errors: [{ type: 'scrubbed', path: 'extra.fake', rule: 'secret_key' }] });
    assert.equal((await send('store', JSON.stringify(event))).status, 200);
    const stored = await server.api(`/api/0/projects/${server.projectId}/events/${event.event_id}/`);
    assert.ok(!JSON.stringify(stored.body).includes('extra.fake'));
  });
});

describe('overload and metrics', () => {
  test('past the ingest queue bound a new ingest request is answered 503 with Retry-After a second later while /healthz and the API still answer', async () => {
    // Four requests that send their headers and then stall hold every place in the queue.
    const errors: string[] = [];
    const stalled = Array.from({ length: 4 }, () => {
      const req = httpRequest(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', headers: { 'content-length': '100000' } });
      req.on('error', (error) => errors.push(error.message));
      req.flushHeaders();
      req.write('{}\n');
      return req;
    });
    const depth = async () => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return Number(/^proliferate_ingest_queue_depth (\d+)$/m.exec(text)?.[1] ?? -1);
    };
    try {
      // Waits until the server holds all four (a loaded machine may take a while to read them).
      let held = -1;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        held = await depth();
        if (held >= 4) break;
      }
      assert.equal(held, 4, `the server holds the four stalled requests (client errors: ${errors.join('; ') || 'none'})`);
      const askedAt = performance.now();
      const refused = await send('envelope', envelopeOf([['event', errorEvent()]]));
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      // Held a second before the answer, so a sender that ignores Retry-After cannot spin on refusals.
      assert.ok(performance.now() - askedAt >= 900, `refused after ${(performance.now() - askedAt).toFixed(0)} ms`);
      assert.equal(refused.body.error.code, 'overloaded');
      assert.equal(refused.headers['retry-after'], '5');
      // OTLP passes the same gate (OTLP exporters retry a 503 after Retry-After).
      const otlp = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey }, body: '{}' });
      assert.equal(otlp.status, 503);
      assert.equal(otlp.headers.get('retry-after'), '5');
      assert.equal(((await otlp.json()) as { error: { code: string } }).error.code, 'overloaded');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await server.api(`/api/0/projects/${server.projectId}/issues/`)).status, 200);
    } finally {
      for (const req of stalled) req.destroy();
    }
    // Once they are gone, ingest is open again.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await send('envelope', envelopeOf([['event', errorEvent()]]))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
  });

  test('/metrics needs the metrics token or an admin, and reports accepted, rejected, queue depth and write latency', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(scraped.status, 200);
    assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await scraped.text();
    assert.match(text, /^proliferate_events_accepted_total\{category="error"\} [1-9]/m);
    assert.match(text, /^proliferate_events_rejected_total\{outcome="rate_limited",reason="project_quota",category="error"\} 2$/m);
    assert.match(text, /^proliferate_events_rejected_total\{outcome="filtered",reason="environment",category="error"\} 1$/m);
    assert.match(text, /^proliferate_ingest_queue_depth \d+$/m);
    assert.match(text, /^proliferate_store_write_seconds_count [1-9]/m);
    assert.match(text, /^# TYPE proliferate_notification_deliveries_total counter$/m);
    const asAdmin = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(asAdmin.status, 200);
  });
});
