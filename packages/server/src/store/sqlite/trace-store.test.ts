/**
 * SQLite only: its trace search plan (trace-plan.ts) must not change results. Backend-neutral trace
 * behaviour is in store/contract-traces.test.ts, run on every backend.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import type { SearchExpr, SearchPredicate } from '../../query/ast.js';
import { parseTraceFilter } from '../../query/trace-filter.js';
import type { SpanInput, TelemetryBatch } from '../trace-types.js';
import { DATABASE_FILE, SqliteStore } from './store.js';
import type { Tables } from './tables.js';
import type { TracePlan } from './trace-plan.js';
import { TraceSearchCompiler } from './trace-search-sql.js';

const base = Date.UTC(2026, 10, 20, 10, 0, 0);
let dir: string;
let store: SqliteStore;
let projectId: number;

const traceId = (n: number) => n.toString(16).padStart(32, '0');
const spanId = (t: number, n: number) => `${t.toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`;

function span(t: number, n: number, parent: number | null, startOffset: number, duration: number, extra: Partial<SpanInput> = {}): SpanInput {
  return {
    traceId: traceId(t),
    spanId: spanId(t, n),
    parentSpanId: parent === null ? null : spanId(t, parent),
    name: `span ${n}`,
    op: 'function',
    status: 'ok',
    startMs: base + t * 60_000 + startOffset,
    endMs: base + t * 60_000 + startOffset + duration,
    rootKind: parent === null ? 2 : 0,
    data: {},
    ...extra,
  };
}

const batch = (parts: Partial<TelemetryBatch>): TelemetryBatch => ({ projectId, spans: [], annotations: [], logs: [], ...parts });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proliferate-traces-'));
  store = new SqliteStore({ dataDir: dir });
  projectId = (await store.createProject({ name: 'Trace test' })).id;
  // Trace 1: children first, root later, in two writes (span streaming, OTLP batches).
  await store.write([], [], [batch({ spans: [span(1, 2, 1, 10, 100, { name: 'Fetch User', op: 'db.query', data: { 'db.table': 'users', rows: 1 } })] })]);
  await store.write([], [], [batch({
    spans: [span(1, 1, null, 0, 6000, { name: 'chat', status: 'ok' }), span(1, 2, 1, 10, 100)],
    annotations: [{ traceId: traceId(1), tags: { environment: 'production', 'service.name': 'chat_api' }, metadata: { user: 'alice' } }],
  })]);
  // Trace 2: a failed root, slow.
  await store.write([], [], [batch({
    spans: [span(2, 1, null, 0, 12_000, { name: 'Checkout', status: 'error' }), span(2, 2, 1, 5, 50, { name: 'http GET', op: 'http.client', data: { 'http.method': 'GET', status_code: 500 } })],
    annotations: [{ traceId: traceId(2), tags: { environment: 'production' }, metadata: {} }],
  })]);
  // Trace 3: UNSET root (OpenTelemetry's default) over a failed child is ERROR; staging.
  await store.write([], [], [batch({
    spans: [span(3, 1, null, 0, 800, { name: 'chat', status: 'unset' }), span(3, 2, 1, 1, 2, { status: 'error' })],
    annotations: [{ traceId: traceId(3), tags: { environment: 'staging' }, metadata: { user: 'bob' } }],
  })]);
  // Trace 4: only a segment with a remote parent; OK.
  await store.write([], [], [batch({ spans: [span(4, 1, 99, 0, 300, { name: 'worker', rootKind: 1 })] })]);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every condition gives the same traces whether it drives the query or is checked per row', async () => {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(join(dir, DATABASE_FILE), { readonly: true }) }) });
  const predicates = (e: SearchExpr): SearchPredicate[] =>
    e.kind === 'predicate' ? [e] : e.kind === 'not' ? predicates(e.item) : e.items.flatMap(predicates);
  const rows = async (filter: SearchExpr, plan: TracePlan) => {
    const condition = new TraceSearchCompiler(projectId, plan).compile(filter);
    const result = await sql<{ row: number }>`SELECT t.row FROM traces t WHERE t.project_id = ${projectId} AND ${condition} ORDER BY t.row`.execute(db);
    return result.rows.map((r) => r.row);
  };
  try {
    for (const text of [
      "tags.environment = 'production' AND status = 'ERROR' AND execution_time_ms > 5000",
      "tags.environment IN ('production', 'staging') AND timestamp_ms >= 0",
      "metadata.user = 'bob' AND status != 'OK'",
      "tags.environment != 'production' AND execution_time_ms <= 800",
      'tags.environment IS NOT NULL AND execution_time_ms < 100000',
    ]) {
      const filter = parseTraceFilter(text)!;
      const all = predicates(filter);
      const expected = await rows(filter, new Map());
      assert.deepEqual(await rows(filter, new Map(all.map((p) => [p, 'check']))), expected, `${text}: all checked`);
      for (const driver of all) {
        const plan: TracePlan = new Map(all.map((p) => [p, p === driver ? 'drive' : 'check']));
        assert.deepEqual(await rows(filter, plan), expected, `${text}: driven by ${JSON.stringify(driver.field)}`);
      }
    }
  } finally {
    await db.destroy();
  }
});
