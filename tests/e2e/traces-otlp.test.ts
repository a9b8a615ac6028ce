/**
 * The OpenTelemetry JS SDK exporting OTLP/HTTP to the real server, in JSON and in protobuf: spans
 * become one trace each with the root's name, status and duration, span kinds and attributes are
 * searchable, and the project key travels in a header. OTLP logs (the OpenTelemetry logs SDK in JSON
 * and protobuf, and a hand-written JSON request) join the trace by its id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});


/** One trace: a server span with a client child (failed) and an internal child with attributes. */
async function exportTrace(exporter: SpanExporter, name: string): Promise<string> {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('otlp-e2e');
  const start = Date.now() - 2000;
  const root = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.method': 'POST', 'http.route': '/chat' } });
  const traceId = root.spanContext().traceId;
  // Children name the root as parent through a context, without a global context manager.
  const ctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan('llm call', { startTime: start + 100, attributes: { 'mlflow.spanType': 'LLM', model: 'gpt-x', tokens: 42 } }, ctx);
  llm.end(start + 900);
  const http = tracer.startSpan('GET /weather', { kind: SpanKind.CLIENT, startTime: start + 1000, attributes: { 'http.status_code': 503 } }, ctx);
  http.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
  http.end(start + 1200);
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(start + 1500);
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

async function traceOf(traceId: string): Promise<any> {
  const { status, body } = await server.api(`/api/0/traces/${traceId}/`);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

describe('OpenTelemetry JS SDK over OTLP/HTTP', () => {
  const ids: Record<string, string> = {};

  before(async () => {
    const headers = { 'x-proliferate-key': server.publicKey };
    ids.json = await exportTrace(new JsonExporter({ url: `${server.url}/v1/traces`, headers }), 'POST /chat json');
    ids.proto = await exportTrace(new ProtoExporter({ url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${server.publicKey}` } }), 'POST /chat proto');
  });

  for (const encoding of ['json', 'proto']) {
    test(`${encoding}: one trace with the root's name, status, duration and the span tree`, async () => {
      const trace = await traceOf(ids[encoding]!);
      assert.equal(trace.name, `POST /chat ${encoding}`);
      assert.equal(trace.status, 'OK');
      assert.equal(trace.executionTimeMs, 1500);
      assert.equal(trace.spanCount, 3);
      const [root] = trace.spans;
      assert.equal(root.op, 'server');
      assert.equal(root.data['http.route'], '/chat');
      const children = root.children.map((c: any) => [c.name, c.op, c.status]);
      assert.deepEqual(children, [['llm call', 'LLM', 'unset'], ['GET /weather', 'client', 'error']]);
      assert.equal(root.children[0].data.tokens, 42);
      assert.equal(root.children[1].data['otel.status_message'], 'upstream unavailable');
      assert.equal(root.children[0].offsetMs, 100);
    });
  }

  test('span kinds, types and attributes are searchable', async () => {
    const search = async (filter: string) => {
      const { status, body } = await server.api(`/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent(filter)}`);
      assert.equal(status, 200, JSON.stringify(body));
      return body.map((t: any) => t.name).sort();
    };
    assert.deepEqual(await search("span.type = 'LLM'"), ['POST /chat json', 'POST /chat proto']);
    assert.deepEqual(await search("span.attributes.model = 'gpt-x' AND name LIKE '%proto'"), ['POST /chat proto']);
    assert.deepEqual(await search("span.status = 'error' AND execution_time_ms >= 1500"), ['POST /chat json', 'POST /chat proto']);
    assert.deepEqual(await search("span.attributes.`http.status_code` = '503'"), ['POST /chat json', 'POST /chat proto']);
  });

  test('OTLP/JSON logs are stored and joined to their trace', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const response = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey },
      body: JSON.stringify({
        resourceLogs: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'chat' } }] },
          scopeLogs: [{
            logRecords: [{
              timeUnixNano: String(now),
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'weather lookup failed' },
              attributes: [{ key: 'attempt', value: { intValue: '3' } }],
              traceId: ids.json,
            }],
          }],
        }],
      }),
    });
    assert.equal(response.status, 200);
    const trace = await traceOf(ids.json!);
    assert.equal(trace.logs.length, 1);
    assert.equal(trace.logs[0].level, 'error');
    assert.equal(trace.logs[0].body, 'weather lookup failed');
    assert.deepEqual(trace.logs[0].attributes, { attempt: 3, 'service.name': 'chat' });
  });

  for (const encoding of ['json', 'proto']) {
    test(`${encoding}: logs from the OpenTelemetry logs SDK join the trace they were emitted in`, async () => {
      const headers = { 'x-proliferate-key': server.publicKey };
      const exporter: LogRecordExporter = encoding === 'json'
        ? new JsonLogExporter({ url: `${server.url}/v1/logs`, headers })
        : new ProtoLogExporter({ url: `${server.url}/v1/logs`, headers });
      const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
      const traceId = ids[encoding]!;
      const spanContext = { traceId, spanId: '1234567890abcdef', traceFlags: 1 };
      provider.getLogger('otlp-e2e').emit({
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        body: `cache miss (${encoding})`,
        attributes: { 'cache.key': 'user:42', hits: 0 },
        context: trace.setSpanContext(context.active(), spanContext),
      });
      await provider.forceFlush();
      await provider.shutdown();
      const logs = (await traceOf(traceId)).logs.filter((l: any) => l.body.startsWith('cache miss'));
      assert.equal(logs.length, 1, JSON.stringify(logs));
      assert.equal(logs[0].level, 'warn');
      assert.equal(logs[0].spanId, '1234567890abcdef');
      assert.equal(logs[0].attributes['cache.key'], 'user:42');
      assert.equal(logs[0].attributes.hits, 0);
    });
  }

  test('without a valid key or with an undecodable body the receiver says so', async () => {
    const post = (headers: Record<string, string>, body: string | Uint8Array) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers, body });
    assert.equal((await post({ 'content-type': 'application/json' }, '{}')).status, 401);
    assert.equal((await post({ 'content-type': 'application/json', 'x-proliferate-key': 'nope' }, '{}')).status, 403);
    const bad = await post({ 'content-type': 'application/x-protobuf', 'x-proliferate-key': server.publicKey }, new Uint8Array([0x0a, 0xff, 0xff]));
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'invalid_otlp');
    assert.equal((await post({ 'content-type': 'text/plain', 'x-proliferate-key': server.publicKey }, '{}')).status, 415);
  });
});
