/**
 * OTLP/HTTP ingest under the same ingest policy as the Sentry endpoints, with the real OpenTelemetry
 * JS exporters against the real server: secrets in span and log attributes and bodies are scrubbed
 * before they are stored (default and per-project rules, notes without the values), a project past
 * its rate limit answers the exporter 429 with Retry-After and counts the drop, and a release
 * filter drops a service's spans.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { startServer, type RunningServer } from '../helpers/server.ts';

const SECRET_PASSWORD = 'otlp-hunter2-secret';
const SECRET_CARD = '4111 1111 1111 1111';
const SECRET_REF = 'cust-ref-998877';

const policy = (change: Record<string, unknown>) => ({
  rateLimit: null,
  keyRateLimits: {},
  spikeProtection: null,
  filters: { messagePatterns: [], releases: [], environments: [], browserExtensions: false },
  scrubbing: { defaults: true, extraKeys: [], extraPatterns: [], dropIpAddresses: false },
  ...change,
});

/** Spans recorded in memory, to hand to an OTLP exporter and read its export result. */
function recordTrace(name: string, attributes: Record<string, string | number>, resource?: Record<string, string>): { spans: ReadableSpan[]; traceId: string } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(memory)],
    ...(resource ? { resource: resourceFromAttributes(resource) } : {}),
  });
  const tracer = provider.getTracer('otlp-policy-e2e');
  const root = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes });
  const child = tracer.startSpan('db query', { attributes: { 'db.statement': `SELECT * FROM cards WHERE number = '${SECRET_CARD}'` } }, trace.setSpan(context.active(), root));
  child.end();
  root.end();
  return { spans: memory.getFinishedSpans(), traceId: root.spanContext().traceId };
}

function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error & { code?: number } }> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result as { code: number; error?: Error & { code?: number } })));
}

describe('OTLP ingest policy with the OpenTelemetry JS exporters', { timeout: 120_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  async function project(name: string, change: Record<string, unknown>) {
    const created = await server.api('/api/0/projects/', { method: 'POST', body: { name } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const put = await server.api(`/api/0/projects/${created.body.id}/ingest-policy/`, { method: 'PUT', body: policy(change) });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const key = new URL(created.body.dsn as string).username;
    return { id: created.body.id as number, key };
  }

  const outcomes = async (projectId: number) => {
    const answer = await server.api(`/api/0/projects/${projectId}/outcomes/`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.totals as Array<{ outcome: string; reason: string; category: string; count: number }>;
  };

  test('secret span attributes, a card number in a span and a log body, and a per-project key are scrubbed with notes that hold no value', async () => {
    const { id, key } = await project('OTLP scrub', { scrubbing: { defaults: true, extraKeys: ['customer_ref'], extraPatterns: [], dropIpAddresses: false } });
    const headers = { 'x-proliferate-key': key };
    for (const exporter of [new JsonTraceExporter({ url: `${server.url}/v1/traces`, headers }), new ProtoTraceExporter({ url: `${server.url}/v1/traces`, headers })]) {
      const { spans, traceId } = recordTrace('POST /pay', { 'db.password': SECRET_PASSWORD, customer_ref: SECRET_REF, 'http.route': '/pay' });
      const result = await exportSpans(exporter, spans);
      assert.equal(result.code, 0, String(result.error));
      await exporter.shutdown();
      const { status, body } = await server.api(`/api/0/traces/${traceId}/`);
      assert.equal(status, 200, JSON.stringify(body));
      const text = JSON.stringify(body);
      for (const secret of [SECRET_PASSWORD, SECRET_REF, SECRET_CARD]) assert.ok(!text.includes(secret), `${secret} is not stored`);
      const [root] = body.spans;
      assert.equal(root.data['db.password'], '[Filtered]');
      assert.equal(root.data.customer_ref, '[Filtered]');
      assert.equal(root.data['http.route'], '/pay', 'other attributes are kept');
      assert.deepEqual(
        root.data['proliferate.scrubbed'].map((n: { path: string; rule: string }) => [n.path, n.rule]).sort(),
        [['data.customer_ref', 'project_key'], ['data.db.password', 'secret_key']],
      );
      assert.match(root.children[0].data['db.statement'], /number = '\[Filtered\]'/);
    }

    const logs = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${server.url}/v1/logs`, headers }) })] });
    logs.getLogger('otlp-policy-e2e').emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: `charge declined for card ${SECRET_CARD}`,
      attributes: { api_key: 'sk_live_otlp_0123456789', attempt: 2 },
    });
    await logs.forceFlush();
    await logs.shutdown();
    let found: any;
    for (const deadline = Date.now() + 10_000; !found && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      found = (await server.api(`/api/0/projects/${id}/logs/`)).body?.[0];
    }
    assert.ok(found, 'the log record is stored');
    assert.equal(found.body, 'charge declined for card [Filtered]');
    assert.equal(found.attributes.api_key, '[Filtered]');
    assert.equal(found.attributes.attempt, 2);
    assert.ok(!JSON.stringify(found).includes('sk_live_otlp'), 'the key is not stored');
    assert.deepEqual(found.attributes['proliferate.scrubbed'].map((n: { rule: string }) => n.rule).sort(), ['credit_card', 'secret_key']);
  });

  test('past the project rate limit the exporter gets 429 with Retry-After, waits as told and sends again; the drop is counted', async () => {
    // 30 a minute with a burst of 1: the second export, sent at once, is answered 429 "retry after
    // 2 s"; the exporter waits that long (within its 10 s timeout) and its retry is accepted.
    const { id, key } = await project('OTLP limited', { rateLimit: { perMinute: 30, burst: 1 } });
    const exporter = new JsonTraceExporter({ url: `${server.url}/v1/traces`, headers: { 'x-proliferate-key': key } });
    const sent = [recordTrace('first', {}), recordTrace('second', {})];
    assert.equal((await exportSpans(exporter, sent[0]!.spans)).code, 0);
    const started = Date.now();
    const second = await exportSpans(exporter, sent[1]!.spans);
    const waited = Date.now() - started;
    await exporter.shutdown();
    assert.equal(second.code, 0, String(second.error));
    assert.ok(waited >= 1500, `the exporter waited for Retry-After before its retry (${waited} ms)`);
    for (const one of sent) assert.equal((await server.api(`/api/0/traces/${one.traceId}/`)).status, 200);
    const limited = (await outcomes(id)).filter((r) => r.outcome === 'rate_limited');
    assert.ok(limited.length === 1 && limited[0]!.reason === 'project_quota' && limited[0]!.category === 'span', JSON.stringify(limited));
    assert.ok(limited[0]!.count >= 2 && limited[0]!.count % 2 === 0, `the refused attempts' spans are counted (${limited[0]!.count})`);
  });

  test('a Retry-After beyond the exporter timeout makes the export fail; nothing of it is stored; the answer is 429 with Retry-After', async () => {
    // A burst of 2 traces, then one a minute: the third export is told "retry after 60 s", longer
    // than the exporter's 10 s timeout, so it gives up at once.
    const { id, key } = await project('OTLP limited hard', { rateLimit: { perMinute: 1, burst: 2 } });
    const exporter = new JsonTraceExporter({ url: `${server.url}/v1/traces`, headers: { 'x-proliferate-key': key } });
    const sent = [recordTrace('first', {}), recordTrace('second', {}), recordTrace('third', {})];
    const results = [];
    for (const one of sent) results.push(await exportSpans(exporter, one.spans));
    await exporter.shutdown();
    assert.deepEqual(results.map((r) => r.code), [0, 0, 1]);
    assert.match(String(results[2]!.error), /retryable status/);
    const stored = await Promise.all(sent.map(async (one) => (await server.api(`/api/0/traces/${one.traceId}/`)).status));
    assert.deepEqual(stored, [200, 200, 404]);
    assert.deepEqual(
      (await outcomes(id)).filter((r) => r.outcome === 'rate_limited').map((r) => [r.reason, r.category, r.count]),
      [['project_quota', 'span', 2]],
      'the two spans of the refused export',
    );

    // The answer itself, as any OTLP client sees it.
    const empty = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-proliferate-key': key }, body: '{"resourceSpans":[]}' });
    assert.equal(empty.status, 200, 'an export with no spans takes no token');
    const one = recordTrace('fourth', {});
    const nowNs = String(BigInt(Date.now()) * 1_000_000n);
    const answer = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-proliferate-key': key },
      body: JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: one.traceId, spanId: one.spans[0]!.spanContext().spanId, name: 'fourth', startTimeUnixNano: nowNs, endTimeUnixNano: nowNs }] }] }],
      }),
    });
    assert.equal(answer.status, 429);
    assert.ok(Number(answer.headers.get('retry-after')) >= 30, `Retry-After: ${answer.headers.get('retry-after')}`);
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'rate_limited');
  });

  test("a release filter drops a service's spans before they are stored and counts them as filtered", async () => {
    const { id, key } = await project('OTLP filtered', { filters: { messagePatterns: [], releases: ['0.9.*'], environments: ['staging'], browserExtensions: false } });
    const exporter = new JsonTraceExporter({ url: `${server.url}/v1/traces`, headers: { 'x-proliferate-key': key } });
    const old = recordTrace('old release', {}, { 'service.name': 'api', 'service.version': '0.9.3' });
    const staging = recordTrace('staging', {}, { 'service.name': 'api', 'service.version': '1.0.0', 'deployment.environment.name': 'staging' });
    const current = recordTrace('current release', {}, { 'service.name': 'api', 'service.version': '1.0.0', 'deployment.environment.name': 'production' });
    for (const one of [old, staging, current]) assert.equal((await exportSpans(exporter, one.spans)).code, 0, 'a filtered export is answered as accepted');
    await exporter.shutdown();
    const stored = await Promise.all([old, staging, current].map(async (one) => (await server.api(`/api/0/traces/${one.traceId}/`)).status));
    assert.deepEqual(stored, [404, 404, 200]);
    assert.deepEqual(
      (await outcomes(id)).filter((r) => r.outcome === 'filtered').map((r) => [r.reason, r.category, r.count]).sort(),
      [['environment', 'span', 2], ['release', 'span', 2]],
    );
  });
});
