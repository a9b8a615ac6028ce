/**
 * Traces section (issue 7): on the cached 100,000-trace / 1,000,000-span data set, trace searches
 * (tag + duration filters, seed 004's combined filter) and setting / deleting a trace tag, timed
 * over HTTP (warm; median and p95); then on a fresh server, ingest throughput of OTLP/HTTP (JSON
 * and protobuf) and of Sentry transaction envelopes, 10 spans per trace, closed loop.
 * Run alone with `node --import tsx bench/traces.ts`.
 */
import { gzipSync } from 'node:zlib';
import { ExportTraceServiceRequest } from '../packages/server/src/ingest/otlp/otlp-schema.js';
import { closedLoop, type Target } from './load.js';
import { startProliferate } from './processes.js';
import { log, percentile, table, type Row } from './report.js';
import { ensureTraceDataset } from './trace-dataset.js';

const q = encodeURIComponent;
const WARMUP = 5;
const RUNS = 50;

const SEARCHES: Array<{ name: string; filter: string; orderBy?: string; target?: number }> = [
  { name: 'search: tag + duration filter', filter: "tags.environment = 'production' AND execution_time_ms > 5000", target: 50 },
  { name: 'search: seed 004 tag + status + duration', filter: "tags.environment = 'production' AND status = 'ERROR' AND execution_time_ms > 5000", target: 50 },
  { name: 'search: rare tag + duration filter', filter: "tags.user_id = 'user_42' AND execution_time_ms > 1000", target: 50 },
  { name: 'search: tag + duration, slowest first', filter: "tags.sla_tier = 'critical' AND execution_time_ms > 30000", orderBy: 'execution_time_ms DESC', target: 50 },
  { name: 'search: span type + span attribute', filter: "span.type = 'llm' AND span.attributes.model = 'gpt-3' AND tags.model_version = 'v2.0.0'" },
  { name: 'search: name LIKE, no tag', filter: "name LIKE 'POST /chat/1%' AND execution_time_ms > 20000" },
];

async function timed(run: () => Promise<Response>, runs = RUNS): Promise<{ median: number; p95: number; status: number; size: string }> {
  const times: number[] = [];
  let status = 0;
  let size = '';
  for (let i = 0; i < WARMUP + runs; i++) {
    const t = performance.now();
    const response = await run();
    const text = await response.text();
    const elapsed = performance.now() - t;
    status = response.status;
    if (status >= 300) return { median: NaN, p95: NaN, status, size: text.slice(0, 120) };
    if (i === 0 && text) size = Array.isArray(JSON.parse(text)) ? `${(JSON.parse(text) as unknown[]).length} traces` : '';
    if (i >= WARMUP) times.push(elapsed);
  }
  return { median: percentile(times, 50), p95: percentile(times, 95), status, size };
}

async function queryRows(): Promise<Row[]> {
  const dataset = await ensureTraceDataset();
  const server = await startProliferate({ dataDir: dataset.dataDir, adminToken: dataset.adminToken });
  const headers = { authorization: `Bearer ${dataset.adminToken}` };
  const rows: Row[] = [];
  const add = (name: string, r: Awaited<ReturnType<typeof timed>>, target?: number, note = '') => {
    log(`traces: ${name}: ${r.status >= 300 ? `HTTP ${r.status} ${r.size}` : `median ${r.median.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`}`);
    rows.push({
      name,
      value: Number.isFinite(r.median) ? r.median : null,
      unit: 'ms',
      target: target === undefined ? undefined : { op: '<=', value: target },
      note: r.status >= 300 ? `HTTP ${r.status}: ${r.size}` : `p95 ${r.p95.toFixed(1)} ms${r.size ? `, ${r.size}` : ''}${note}${target ? ' (target: issue 7)' : ''}`,
    });
  };
  try {
    for (const s of SEARCHES) {
      const path = `/api/0/projects/${dataset.projectId}/traces/?filter=${q(s.filter)}&max_results=100${s.orderBy ? `&order_by=${q(s.orderBy)}` : ''}`;
      add(s.name, await timed(() => fetch(server.url + path, { headers })), s.target);
    }
    const tagUrl = (key: string) => `${server.url}/api/0/traces/${dataset.sampleTraceId}/tags/${key}`;
    let n = 0;
    const put = { ...headers, 'content-type': 'application/json' };
    add('set a trace tag (PUT)', await timed(() => fetch(tagUrl('needs_review'), { method: 'PUT', headers: put, body: JSON.stringify({ value: `v${n++}` }) })), 5);
    add('delete a trace tag (DELETE)', await timed(async () => {
      await (await fetch(tagUrl('tmp'), { method: 'PUT', headers: put, body: '{"value":"x"}' })).text();
      return fetch(tagUrl('tmp'), { method: 'DELETE', headers });
    }), undefined, ' (a PUT that re-creates the tag, then the DELETE)');
    add('trace detail, 10 spans', await timed(() => fetch(`${server.url}/api/0/traces/${dataset.sampleTraceId}/`, { headers })));
    add('batch tag: status = ERROR AND tags.sla_tier = critical', await timed(() => fetch(`${server.url}/api/0/projects/${dataset.projectId}/traces/tags/`, {
      method: 'POST', headers: put, body: JSON.stringify({ filter: "status = 'ERROR' AND tags.sla_tier = 'critical'", set: { needs_review: 'true' } }),
    }), 10));
  } finally {
    await server.stop();
  }
  return rows;
}

// ---- ingest ----

const SPANS = 10;
const TRACES_PER_REQUEST = 10;
let counter = 0;
const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0').slice(-bytes * 2);

function otlpSpans(json: boolean) {
  const spans = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < TRACES_PER_REQUEST; t++) {
    const trace = ++counter;
    const traceId = hex(trace, 12) + 'abcdef01';
    for (let s = 0; s < SPANS; s++) {
      const spanId = hex(trace * 16 + s, 8);
      const id = (h: string) => (json ? h : Buffer.from(h, 'hex'));
      spans.push({
        traceId: id(traceId),
        spanId: id(spanId),
        ...(s ? { parentSpanId: id(hex(trace * 16, 8)) } : {}),
        name: s ? `child ${s}` : 'POST /chat',
        kind: s ? 1 : 2,
        startTimeUnixNano: String(now + BigInt(s) * 1_000_000n),
        endTimeUnixNano: String(now + BigInt(s + 1) * 2_000_000n),
        attributes: [{ key: 'http.route', value: { stringValue: '/chat' } }, { key: 'tokens', value: { intValue: String(100 + s) } }],
        status: { code: 1 },
      });
    }
  }
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] };
}

function transactionEnvelope(publicKey: string): Buffer {
  const trace = ++counter;
  const traceId = hex(trace, 12) + 'abcdef02';
  const root = hex(trace * 16, 8);
  const now = Date.now() / 1000;
  const event = {
    type: 'transaction', transaction: 'POST /chat', start_timestamp: now, timestamp: now + 0.05,
    tags: { flag_variant: trace % 2 ? 'a' : 'b', environment: 'production' },
    contexts: { trace: { trace_id: traceId, span_id: root, op: 'http.server', status: 'ok' } },
    spans: Array.from({ length: SPANS - 1 }, (_, s) => ({
      trace_id: traceId, span_id: hex(trace * 16 + s + 1, 8), parent_span_id: root, op: 'db.query', description: `query ${s}`,
      start_timestamp: now + s / 1000, timestamp: now + (s + 1) / 1000, status: 'ok', data: { 'db.table': 'users' },
    })),
  };
  const payload = JSON.stringify(event);
  const body = `${JSON.stringify({ event_id: hex(trace, 16), sent_at: new Date().toISOString(), dsn: `http://${publicKey}@127.0.0.1/1` })}\n${JSON.stringify({ type: 'transaction', length: Buffer.byteLength(payload) })}\n${payload}\n`;
  return gzipSync(body);
}

async function ingestRows(): Promise<Row[]> {
  const server = await startProliferate();
  const rows: Row[] = [];
  try {
    const jsonBodies = Array.from({ length: 2000 }, () => Buffer.from(JSON.stringify(otlpSpans(true))));
    const protoBodies = Array.from({ length: 2000 }, () => Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(otlpSpans(false))).finish()));
    const envelopes = Array.from({ length: 20_000 }, () => transactionEnvelope(server.publicKey));
    const cases: Array<{ name: string; target: Target; spansPerRequest: number; pool: Buffer[] }> = [
      { name: 'OTLP/HTTP JSON', spansPerRequest: SPANS * TRACES_PER_REQUEST, pool: jsonBodies, target: { url: server.url, path: '/v1/traces', headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey }, nextBody: () => Buffer.alloc(0) } },
      { name: 'OTLP/HTTP protobuf', spansPerRequest: SPANS * TRACES_PER_REQUEST, pool: protoBodies, target: { url: server.url, path: '/v1/traces', headers: { 'content-type': 'application/x-protobuf', 'x-proliferate-key': server.publicKey }, nextBody: () => Buffer.alloc(0) } },
      { name: 'Sentry transactions', spansPerRequest: SPANS, pool: envelopes, target: { url: server.url, path: `/api/${server.projectId}/envelope/`, headers: { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip', 'x-sentry-auth': `Sentry sentry_key=${server.publicKey}` }, nextBody: () => Buffer.alloc(0) } },
    ];
    for (const c of cases) {
      let next = 0;
      c.target.nextBody = () => c.pool[next++ % c.pool.length]!;
      const result = await closedLoop(c.target, { connections: 20, seconds: 8, maxRequests: c.pool.length });
      const spansPerSecond = result.perSecond * c.spansPerRequest;
      log(`traces: ingest ${c.name}: ${Math.round(result.perSecond)} requests/s, ${Math.round(spansPerSecond)} spans/s, p99 ${result.p99.toFixed(1)} ms, ${result.failed} failed`);
      rows.push({
        name: `ingest: ${c.name}`,
        value: spansPerSecond,
        unit: 'spans/s',
        note: `${Math.round(result.perSecond)} requests/s of ${c.spansPerRequest} spans, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.failed} failed, 20 connections`,
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

export async function runTraces(): Promise<Row[]> {
  return [...(await queryRows()), ...(await ingestRows())];
}

export function tracesTable(rows: Row[]): string {
  return table('traces (HTTP, warm; 100,000 traces / 1,000,000 spans; median of runs vs target)', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runTraces();
  console.log(tracesTable(rows));
}
