/**
 * Defects a hostile probe found (issue 17), each against the real server: out-of-range times and
 * numbers, tag floods, oversized headers, empty JSON bodies and unbalanced search parentheses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const spanId = () => newId().slice(0, 16);

async function send(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}${path.includes('?') ? '&' : '?'}sentry_key=${server.publicKey}`, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}
const store = (event: object) => send(`/api/${server.projectId}/store/`, JSON.stringify(event));
const envelope = (headers: object, items: Array<[object, object]>) =>
  send(`/api/${server.projectId}/envelope/`, [JSON.stringify(headers), ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join('\n'));

describe('times outside the JavaScript date range', () => {
  // biome-ignore lint/correctness/noPrecisionLoss: a timestamp past 2^53, as a hostile client writes it
  for (const timestamp of [1e20, -9e15, 9007199254740993]) {
    test(`an event with timestamp ${timestamp} on /store/ and in an envelope is kept at the receive time with a clock_drift note`, async () => {
      const before = Date.now();
      for (const via of ['store', 'envelope'] as const) {
        const id = newId();
        const event = { event_id: id, timestamp, message: `far time ${timestamp} via ${via}` };
        const answer = via === 'store' ? await store(event) : await envelope({ event_id: id }, [[{ type: 'event' }, event]]);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const stored = await server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
        assert.equal(stored.status, 200);
        const at = Date.parse(stored.body.timestamp);
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `timestamp ${stored.body.timestamp} is the receive time`);
        const note = stored.body.processingErrors.find((e: { type: string }) => e.type === 'clock_drift');
        assert.ok(note, `clock_drift recorded: ${JSON.stringify(stored.body.processingErrors)}`);
        assert.equal(typeof note.value, 'string');
      }
    });
  }

  test('breadcrumbs with out-of-range times are kept at the event time', async () => {
    const id = newId();
    const answer = await store({ event_id: id, message: 'crumbs', breadcrumbs: [{ message: 'far', timestamp: 1e300 }, { message: 'before', timestamp: -1e300 }] });
    assert.equal(answer.status, 200);
    const stored = await server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    for (const crumb of stored.body.breadcrumbs) assert.equal(crumb.timestamp * 1000, Date.parse(stored.body.timestamp));
  });
});

describe('numbers out of range in transactions and logs', () => {
  test('a transaction spanning -1e300..1e300 is clamped with a note, and the trace list and trace detail still answer', async () => {
    const traceId = newId();
    const root = spanId();
    const answer = await envelope({ event_id: newId() }, [[{ type: 'transaction' }, {
      type: 'transaction',
      transaction: 'GET /far',
      start_timestamp: -1e300,
      timestamp: 1e300,
      contexts: { trace: { trace_id: traceId, span_id: root, op: 'http.server' } },
      spans: [
        // biome-ignore lint/correctness/noPrecisionLoss: a start past 2^53, as a hostile client writes it
        { span_id: spanId(), parent_span_id: root, trace_id: traceId, op: 'db', description: 'far child', start_timestamp: 9007199254740993, timestamp: 1e20 },
        { span_id: spanId(), parent_span_id: root, trace_id: traceId, op: 'db', description: 'NaN child', start_timestamp: 'soon', timestamp: -9e15 },
      ],
      measurements: { lcp: { value: 1e300 } },
    }]]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const list = await server.api(`/api/0/projects/${server.projectId}/traces/`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(list.body.some((t: { traceId: string }) => t.traceId === traceId));
    const detail = await server.api(`/api/0/traces/${traceId}/`);
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    const now = Date.now();
    assert.ok(detail.body.startMs > now - 60_000 && detail.body.endMs <= now + 1000, `clamped to the receive time: ${detail.body.startMs}..${detail.body.endMs}`);
    const spans: any[] = [];
    const walk = (nodes: any[]) => nodes.forEach((n) => { spans.push(n); walk(n.children ?? []); });
    walk(detail.body.spans);
    assert.equal(spans.length, 3);
    for (const span of spans) assert.ok(span.data['proliferate.clock_drift'], `note on span ${span.name}: ${JSON.stringify(span.data)}`);
  });

  test('a log item at timestamp 1e300 is kept at the receive time with a note, and the log list still answers', async () => {
    const traceId = newId();
    const answer = await envelope({}, [[{ type: 'log' }, { items: [
      { timestamp: 1e300, trace_id: traceId, level: 'error', body: 'far future log', severity_number: 1e300 },
      { timestamp: -9e15, trace_id: traceId, level: 'info', body: 'far past log' },
    ] }]]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const list = await server.api(`/api/0/projects/${server.projectId}/logs/?trace_id=${traceId}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.length, 2);
    const now = Date.now();
    for (const log of list.body) {
      assert.ok(Math.abs(Date.parse(log.timestamp) - now) < 60_000, `log at the receive time: ${log.timestamp}`);
      assert.ok(log.attributes['proliferate.clock_drift'], JSON.stringify(log));
    }
    const all = await server.api(`/api/0/projects/${server.projectId}/logs/`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
  });

  test('OTLP times of 2^64-1 ns are clamped like events, not kept as the year 2554', async () => {
    const traceId = newId();
    const max = '18446744073709551615';
    const spans = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId, spanId: spanId(), name: 'otlp far', startTimeUnixNano: max, endTimeUnixNano: max }] }] }] };
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: max, traceId, body: { stringValue: 'otlp far log' } }] }] }] };
    for (const [path, body] of [['/v1/traces', spans], ['/v1/logs', logs]] as const) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey } });
      assert.equal(response.status, 200, await response.text());
    }
    const detail = await server.api(`/api/0/traces/${traceId}/`);
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    assert.ok(detail.body.startMs < Date.now() + 1000, `trace start ${new Date(detail.body.startMs).toISOString()}`);
    assert.equal(detail.body.logs.length, 1);
    assert.ok(Date.parse(detail.body.logs[0].timestamp) < Date.now() + 1000, detail.body.logs[0].timestamp);
  });
});

describe('HTTP edges', () => {
  /** Plain node:http with a keep-alive agent of one socket, so requests share a connection. */
  function request(agent: Agent, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const req = httpRequest(server.url + path, { agent, method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('an oversized header gets 431 in our error shape with Connection: close, and a keep-alive client loses no request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await request(agent, '/healthz')).status, 200);
      const big = await request(agent, '/healthz', { 'x-padding': 'a'.repeat(20_000) });
      assert.equal(big.status, 431);
      assert.equal(big.headers.connection, 'close');
      assert.equal(JSON.parse(big.text).error.code, 'header_too_large');
      for (let i = 0; i < 5; i++) assert.equal((await request(agent, '/healthz')).status, 200);
    } finally {
      agent.destroy();
    }
  });

  test('DELETE and PUT with Content-Type: application/json and an empty body are accepted', async () => {
    const created = await server.api(`/api/0/projects/${server.projectId}/keys/`, { body: { label: 'to revoke' } });
    assert.equal(created.status, 201);
    const agent = new Agent();
    try {
      const auth = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
      const revoked = await request(agent, `/api/0/projects/${server.projectId}/keys/${created.body.publicKey}/`, auth, 'DELETE');
      assert.equal(revoked.status, 204, revoked.text);
      const put = await request(agent, `/api/0/traces/${newId()}/tags/tier`, auth, 'PUT');
      assert.notEqual(JSON.parse(put.text).error?.code, 'ctp_empty_json_body', put.text);
      assert.ok(put.status < 500, put.text);
      // A body that is not JSON is still refused.
      const bad = await request(agent, `/api/0/projects/${server.projectId}/issues/?id=1`, auth, 'PUT', '{"status":');
      assert.equal(bad.status, 400, bad.text);
    } finally {
      agent.destroy();
    }
  });
});

describe('search syntax', () => {
  for (const [query, position] of [['tier:(enterprise', 5], ['tier:enterprise)', 15], ['(tier:free', 9], ['message:f(x', 9], ['crash(', 5]] as const) {
    test(`the issue search ${JSON.stringify(query)} is 400 invalid_query with the position ${position}`, async () => {
      const answer = await server.api(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(query)}`);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, 'invalid_query');
      assert.equal(answer.body.error.position, position);
    });
  }

  test('balanced parentheses inside a value still search for that value', async () => {
    for (const query of ['message:f(x)', '(tier:free)', 'tier:free (level:error OR level:fatal)', 'handle(event)']) {
      const answer = await server.api(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(query)}`);
      assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
    }
  });

  test('the trace filter refuses unbalanced parentheses and numbers beyond any float with the position', async () => {
    for (const filter of ["(status = 'ok'", "status = 'ok')", "tags.tier IN ('a', 'b'", 'duration > 1e999', "NOT (name = 'x' AND (duration > 5)"]) {
      const answer = await server.api(`/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent(filter)}`);
      assert.equal(answer.status, 400, `${filter}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'invalid_query', filter);
      assert.equal(typeof answer.body.error.position, 'number', filter);
    }
  });
});
