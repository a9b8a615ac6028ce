/**
 * The trace data set: 100,000 traces of 10 spans (1,000,000 spans) over 30 days, each with five
 * trace tags (environment, experiment_variant, model_version, sla_tier, user_id of 5,000), 5% of
 * them ERROR, durations from 20 ms to 60 s (log-uniform). Built once into bench/.data/traces/
 * with the server's own TraceWriter in large transactions, and reused while the recipe and the
 * schema match.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configureConnection, SCHEMA_VERSION } from '../packages/server/src/store/sqlite/schema.js';
import type { SpanInput, TelemetryBatch } from '../packages/server/src/store/trace-types.js';
import { rng } from './payload.js';
import { log } from './report.js';

export const TRACE_DATASET = {
  version: 1,
  traces: 100_000,
  spansPerTrace: 10,
  users: 5_000,
  days: 30,
  batch: 2_000,
  dir: new URL('./.data/traces/', import.meta.url).pathname,
};

export interface TraceDatasetInfo {
  version: number;
  schemaVersion: number;
  dataDir: string;
  projectId: number;
  adminToken: string;
  traces: number;
  spans: number;
  /** A trace id to set tags on. */
  sampleTraceId: string;
  builtAt: string;
  buildSeconds: number;
}

const ENVIRONMENTS = ['production', 'production', 'production', 'production', 'production', 'production', 'production', 'staging', 'staging', 'development'];
const SPAN_NAMES: Array<[string, string]> = [
  ['retrieve documents', 'retriever'], ['embed query', 'embedding'], ['llm call', 'llm'], ['Fetch User', 'db.query'],
  ['GET /profile', 'http.client'], ['render prompt', 'function'], ['parse answer', 'function'], ['cache lookup', 'cache.get'],
  ['moderation', 'llm'],
];
const hex = (random: () => number, bytes: number) => Array.from({ length: bytes }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');

function traceBatch(from: number, to: number, end: number): TelemetryBatch {
  const batch: TelemetryBatch = { projectId: 1, spans: [], annotations: [], logs: [] };
  const period = TRACE_DATASET.days * 86_400_000;
  for (let i = from; i < to; i++) {
    const random = rng(i * 2654435761 + 17);
    const traceId = hex(random, 16);
    const start = end - period + Math.floor((i / TRACE_DATASET.traces) * period);
    const duration = Math.round(20 * Math.exp(random() * Math.log(3000))); // 20 ms .. 60 s
    const failed = random() < 0.05;
    const rootId = hex(random, 8);
    const spans: SpanInput[] = [{
      traceId, spanId: rootId, parentSpanId: null, name: `POST /chat/${i % 20}`, op: 'http.server', status: failed ? 'error' : 'ok',
      startMs: start, endMs: start + duration, rootKind: 2, data: { 'http.route': `/chat/${i % 20}`, 'http.method': 'POST' },
    }];
    for (let s = 1; s < TRACE_DATASET.spansPerTrace; s++) {
      const [name, op] = SPAN_NAMES[s - 1]!;
      const offset = Math.floor((duration * (s - 1)) / TRACE_DATASET.spansPerTrace);
      spans.push({
        traceId, spanId: hex(random, 8), parentSpanId: rootId, name, op, status: 'ok',
        startMs: start + offset, endMs: start + offset + Math.max(1, Math.floor(duration / TRACE_DATASET.spansPerTrace)), rootKind: 0,
        data: op === 'llm' ? { model: `gpt-${1 + (i % 4)}`, tokens: 100 + (i % 900) } : op === 'db.query' ? { 'db.table': 'users' } : {},
      });
    }
    batch.spans.push(...spans);
    batch.annotations.push({
      traceId,
      tags: {
        environment: ENVIRONMENTS[i % ENVIRONMENTS.length]!,
        experiment_variant: random() < 0.5 ? 'control' : 'treatment',
        model_version: `v${1 + Math.floor(random() * 5)}.0.0`,
        sla_tier: random() < 0.1 ? 'critical' : 'standard',
        user_id: `user_${Math.floor(random() * TRACE_DATASET.users)}`,
      },
      metadata: { request_id: `req_${i}` },
    });
  }
  return batch;
}

const metaPath = () => join(TRACE_DATASET.dir, 'meta.json');

export async function ensureTraceDataset(): Promise<TraceDatasetInfo> {
  if (existsSync(metaPath())) {
    const info = JSON.parse(readFileSync(metaPath(), 'utf8')) as TraceDatasetInfo;
    if (info.version === TRACE_DATASET.version && info.schemaVersion === SCHEMA_VERSION && existsSync(join(info.dataDir, 'proliferate.sqlite3'))) {
      log(`traces: using the cached data set in ${info.dataDir} (built ${info.builtAt} in ${info.buildSeconds} s)`);
      return info;
    }
  }
  return buildTraceDataset();
}

async function buildTraceDataset(): Promise<TraceDatasetInfo> {
  const started = performance.now();
  rmSync(TRACE_DATASET.dir, { recursive: true, force: true });
  const dataDir = join(TRACE_DATASET.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  log(`traces: building ${TRACE_DATASET.traces.toLocaleString('en-US')} traces / ${(TRACE_DATASET.traces * TRACE_DATASET.spansPerTrace).toLocaleString('en-US')} spans in ${dataDir} (once; cached)`);
  const { SqliteStore } = await import('../packages/server/src/store/sqlite/store.js');
  const store = new SqliteStore({ dataDir, withWriter: false });
  const project = await store.createProject({ name: 'Default', slug: 'default' });
  const { token } = await store.createToken({ name: 'bench admin' });
  await store.close();

  const { TraceWriter } = await import('../packages/server/src/store/sqlite/write-path/trace-writer.js');
  const db = new Database(join(dataDir, 'proliferate.sqlite3'));
  configureConnection(db, 'writer');
  db.pragma('synchronous = OFF'); // a cache, rebuilt if lost
  const writer = new TraceWriter(db);
  const end = Date.now();
  let sampleTraceId = '';
  for (let from = 0; from < TRACE_DATASET.traces; from += TRACE_DATASET.batch) {
    const batch = traceBatch(from, Math.min(TRACE_DATASET.traces, from + TRACE_DATASET.batch), end);
    batch.projectId = project.id;
    sampleTraceId ||= batch.spans[0]!.traceId;
    db.transaction(() => writer.write(batch))();
    if ((from / TRACE_DATASET.batch) % 10 === 9) log(`traces: ${(from + TRACE_DATASET.batch).toLocaleString('en-US')} traces written`);
  }
  const counts = db.prepare('SELECT (SELECT count(*) FROM traces) AS traces, (SELECT count(*) FROM spans) AS spans').get() as { traces: number; spans: number };
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const info: TraceDatasetInfo = {
    version: TRACE_DATASET.version,
    schemaVersion: SCHEMA_VERSION,
    dataDir,
    projectId: project.id,
    adminToken: token,
    traces: counts.traces,
    spans: counts.spans,
    sampleTraceId,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  writeFileSync(metaPath(), JSON.stringify(info, null, 2) + '\n');
  log(`traces: data set built in ${info.buildSeconds} s: ${counts.traces} traces, ${counts.spans} spans`);
  return info;
}
