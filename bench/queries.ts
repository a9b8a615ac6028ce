/**
 * Queries section: the real server on the cached 1,000,000-event data set, each case in
 * query-cases.ts timed over HTTP from this process (warm: a few unmeasured runs first, then
 * sequential runs; median and p95). A case answering other than 200 is reported as failed.
 */
import { ensureDataset } from './dataset.js';
import { ensurePostgresDataset } from './postgres-dataset.js';
import { startProliferate } from './processes.js';
import { QUERY_CASES, type QueryContext } from './query-cases.js';
import { log, percentile, table, type Row } from './report.js';

const WARMUP_RUNS = 5;
const RUNS = 50;
/** A slow case stops early rather than holding the whole bench, after at least MIN_RUNS. */
const CASE_BUDGET_MS = 10_000;
const MIN_RUNS = 3;
/** A first answer slower than this is warm-up enough. */
const SLOW_MS = 200;

function resultSize(body: unknown): string {
  if (Array.isArray(body)) return `${body.length} items`;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const key of ['items', 'data', 'buckets', 'values', 'series']) if (Array.isArray(o[key])) return `${(o[key] as unknown[]).length} ${key}`;
  }
  return 'object';
}

export async function runQueries(store: 'sqlite' | 'postgres' = 'sqlite'): Promise<Row[]> {
  const dataset = store === 'postgres' ? await ensurePostgresDataset() : await ensureDataset();
  const server =
    'url' in dataset
      ? await startProliferate({ adminToken: dataset.adminToken, env: { PROLIFERATE_DATABASE_URL: dataset.url } })
      : await startProliferate({ dataDir: dataset.dataDir, adminToken: dataset.adminToken });
  const prefix = store === 'postgres' ? 'postgres: ' : '';
  const ctx: QueryContext = { projectId: dataset.projectId, bigIssueId: dataset.bigIssueId };
  const rows: Row[] = [];
  try {
    for (const c of QUERY_CASES) {
      const url = server.url + c.path(ctx);
      const headers = { authorization: `Bearer ${dataset.adminToken}` };
      const times: number[] = [];
      let status = 0;
      let size = '';
      const started = performance.now();
      let warmup = WARMUP_RUNS;
      for (let i = 0; i < warmup + RUNS && (performance.now() - started < CASE_BUDGET_MS || times.length < MIN_RUNS); i++) {
        const t = performance.now();
        const response = await fetch(url, { headers });
        const text = await response.text();
        const elapsed = performance.now() - t;
        status = response.status;
        if (status !== 200) {
          size = text.slice(0, 120);
          break;
        }
        if (i === 0) {
          size = resultSize(JSON.parse(text));
          if (elapsed > SLOW_MS) warmup = 1;
        }
        if (i >= warmup) times.push(elapsed);
      }
      const failed = status !== 200;
      const median = failed ? null : percentile(times, 50);
      const p95 = percentile(times, 95);
      log(`queries: ${prefix}${c.name}: ${failed ? `HTTP ${status} ${size}` : `median ${median!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${times.length} runs`}`);
      rows.push({
        name: prefix + c.name,
        value: median,
        unit: 'ms',
        target: c.target === undefined ? undefined : { op: '<=', value: c.target },
        note: failed ? `HTTP ${status}: ${size}` : `p95 ${p95.toFixed(1)} ms, ${times.length} runs, ${size}${c.source ? ` (target: ${c.source})` : ''}`,
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

export function queriesTable(rows: Row[]): string {
  return table('queries (HTTP, warm, 1,000,000 events / 10,000 issues; median of runs vs target)', rows);
}
