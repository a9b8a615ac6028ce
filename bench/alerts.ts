/**
 * Alerts section: ingest max throughput with 20 alert rules on the project beside none, in one run:
 * interleaved rounds (PAIRS pairs, the order alternating), each a fresh server and database fed the
 * same events, reported as the median of each side and every round, beside the bare node:http
 * reference of the same run. Rules are evaluated after commit from the stored events, so the
 * target is at most 10% slower (medians). Also
 * reported: how far evaluation lags behind ingest when the load stops. `--store postgres` runs the
 * same pairs on PostgreSQL (a fresh database per server) beside SQLite's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../tests/helpers/postgres.js';
import { closedLoop, type LoadResult } from './load.js';
import { buildPool } from './pool.js';
import { startProliferate, startReference, type RunningServer } from './processes.js';
import { log, table, type Row } from './report.js';

const CONNECTIONS = 50;
const SECONDS = 10;
const POOL = 50_000;
const WARMUP = 6_000;

function rules(receiver: string) {
  const hook = { type: 'webhook', url: receiver, secret: 'bench-secret-0123456789' };
  const slack = { type: 'slack', url: receiver };
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 4; i++) {
    out.push({ name: `new ${i}`, trigger: 'new_issue', environments: i % 2 ? ['production'] : [], query: i === 3 ? 'tier:enterprise' : '', actions: [hook] });
    out.push({ name: `regression ${i}`, trigger: 'regression', actions: [slack] });
    out.push({ name: `frequency ${i}`, trigger: 'frequency', threshold: 50 * (i + 1), windowMinutes: 1, query: i % 2 ? 'region:eu-west-1' : '', actions: [hook] });
    out.push({ name: `users ${i}`, trigger: 'users', threshold: 20 * (i + 1), windowMinutes: 5, environments: ['production'], actions: [slack] });
    out.push({ name: `spike ${i}`, trigger: 'spike', threshold: 3 + i, windowMinutes: 5, query: i % 2 ? 'tier:enterprise service:billing' : '', actions: [hook] });
  }
  return out;
}

/** What the bench reads of the evaluator's progress, from the store's own database. */
interface Progress {
  /** Events not evaluated yet. */
  behind(): Promise<number>;
  notifications(): Promise<number>;
  pending(): Promise<number>;
  close(): Promise<void>;
}

function sqliteProgress(dataDir: string): Progress {
  const db = new Database(join(dataDir, 'proliferate.sqlite3'), { readonly: true });
  const n = (query: string) => Promise.resolve((db.prepare(query).get() as { n: number }).n);
  return {
    behind: () => n('SELECT (SELECT max(row) FROM events) - (SELECT event_row FROM alert_cursor) AS n'),
    notifications: () => n('SELECT count(*) AS n FROM alert_outbox'),
    pending: () => n("SELECT count(*) AS n FROM alert_outbox WHERE status = 'pending'"),
    close: async () => db.close(),
  };
}

async function postgresProgress(url: string): Promise<Progress> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const n = async (query: string) => Number((await client.query(query)).rows[0].n);
  return {
    behind: () => n('SELECT count(*) AS n FROM events e, alert_cursor c WHERE (e.xid, e.row) > (c.xid, c.event_row)'),
    notifications: () => n('SELECT count(*) AS n FROM alert_outbox'),
    pending: () => n("SELECT count(*) AS n FROM alert_outbox WHERE status = 'pending'"),
    close: () => client.end(),
  };
}

/** One round on a fresh server and database; `nodeArgs` lets a profiling run pass --cpu-prof. */
export async function measure(pool: Buffer[], withRules: boolean, receiver: string, store: 'sqlite' | 'postgres', nodeArgs: string[] = []): Promise<{ load: LoadResult; lagMs: number; outbox: number }> {
  const database: TestDatabase | null = store === 'postgres' ? await createTestDatabase('bench_alerts') : null;
  const env: Record<string, string> = { PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: 'true', ...(database ? { PROLIFERATE_DATABASE_URL: database.url } : {}) };
  const server: RunningServer = await startProliferate({ env, nodeArgs });
  try {
    if (withRules) {
      for (const rule of rules(receiver)) {
        const created = await server.api(`/api/0/projects/${server.projectId}/alert-rules/`, { body: rule });
        if (created.status !== 201) throw new Error(`rule refused: ${JSON.stringify(created.body)}`);
      }
    }
    const cursor = { next: 0 };
    const target = {
      url: server.url,
      path: `/api/${server.projectId}/envelope/`,
      headers: {
        'content-type': 'application/x-sentry-envelope',
        'content-encoding': 'gzip',
        'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${server.publicKey}`,
      },
      nextBody: () => pool[cursor.next++ % pool.length]!,
    };
    // Steady state: the warm-up creates the project's issues (a fresh project's first minutes, when
    // every issue is new and every new-issue rule notifies, are not what ingest runs at), and the
    // evaluator catches up with it, and the outbox is drained, before the measured run.
    await closedLoop(target, { connections: CONNECTIONS, seconds: 30, maxRequests: WARMUP });
    const progress = database ? await postgresProgress(database.url) : sqliteProgress(server.dataDir);
    let before = 0;
    if (withRules) {
      for (let waited = 0; ((await progress.behind()) > 0 || (await progress.pending()) > 0) && waited < 90_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      before = await progress.notifications();
    }
    const load = await closedLoop(target, { connections: CONNECTIONS, seconds: SECONDS, maxRequests: pool.length - WARMUP });
    const stopped = Date.now();
    let lagMs = 0;
    let outbox = 0;
    try {
      if (withRules) {
        while ((await progress.behind()) > 0 && Date.now() - stopped < 60_000) await new Promise((r) => setTimeout(r, 50));
        lagMs = Date.now() - stopped;
        outbox = (await progress.notifications()) - before;
      }
    } finally {
      await progress.close();
    }
    return { load, lagMs, outbox };
  } finally {
    await server.stop({ keepData: true });
    rmSync(server.dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

/** How many (no rules, 20 rules) pairs one run measures; the order alternates from pair to pair. */
const PAIRS = 3;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The machine's ceiling in this run, for scale: bare node:http on the same bodies and connections. */
async function referenceRate(pool: Buffer[]): Promise<number> {
  const reference = await startReference();
  try {
    const cursor = { next: 0 };
    const target = { url: reference.url, path: '/api/1/envelope/', headers: { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip' }, nextBody: () => pool[cursor.next++ % pool.length]! };
    return (await closedLoop(target, { connections: CONNECTIONS, seconds: 4, maxRequests: pool.length })).perSecond;
  } finally {
    await reference.stop();
  }
}

export async function runAlerts(store: 'sqlite' | 'postgres' = 'sqlite'): Promise<Row[]> {
  log(`alerts (${store}): generating ${POOL} gzipped envelopes`);
  const pool = await buildPool({ size: POOL, dsn: 'http://pk_default_bench@127.0.0.1:8000/1', issues: 300, seed: 4242 });
  log(`alerts (${store}): reference node:http server, ${CONNECTIONS} connections, 4 s`);
  const reference = await referenceRate(pool);
  let received = 0;
  const receiver = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const none: LoadResult[] = [];
  const twenty: Array<Awaited<ReturnType<typeof measure>>> = [];
  try {
    // Interleaved rounds, each on a fresh server and database fed the same events: a slow phase of
    // the machine lands on both sides, and neither inherits the other's data. The order alternates
    // (none, 20, 20, none, none, 20) so a machine that drifts during the run favours neither side.
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const withRules of pair % 2 === 0 ? [false, true] : [true, false]) {
        log(`alerts (${store}): round ${none.length + twenty.length + 1}/${PAIRS * 2}, ${withRules ? '20 rules' : 'no rules'}, ${CONNECTIONS} connections, ${SECONDS} s`);
        const result = await measure(pool, withRules, url, store);
        log(`  ${result.load.ok} ok, ${result.load.failed} failed, ${result.load.perSecond.toFixed(0)} events/s` + (withRules ? `, evaluation caught up ${result.lagMs} ms after the load, ${result.outbox} notifications` : ''));
        if (withRules) twenty.push(result);
        else none.push(result.load);
      }
    }
  } finally {
    receiver.close();
  }
  const base = median(none.map((r) => r.perSecond));
  const withRules = median(twenty.map((t) => t.load.perSecond));
  const slower = ((base - withRules) / base) * 100;
  const on = store === 'postgres' ? ' (PostgreSQL)' : '';
  const rounds = (rates: number[]) => `median of ${rates.map((r) => r.toFixed(0)).join(' / ')} (rounds in run order)`;
  return [
    { name: 'reference: bare node:http + gunzip + JSON.parse', value: reference, unit: 'req/s', note: 'same run, same bodies, 4 s' },
    { name: `ingest max throughput, no alert rules${on}`, value: base, unit: 'events/s', note: rounds(none.map((r) => r.perSecond)) },
    { name: `ingest max throughput, 20 alert rules${on}`, value: withRules, unit: 'events/s', note: rounds(twenty.map((t) => t.load.perSecond)) },
    { name: '  slower with 20 rules (medians)', value: slower, unit: '%', target: { op: '<=', value: 10 }, note: `per pair: ${none.map((r, i) => (((r.perSecond - twenty[i]!.load.perSecond) / r.perSecond) * 100).toFixed(1)).join(' / ')} %` },
    { name: '  ack p99, no rules / 20 rules (medians)', value: median(none.map((r) => r.p99)), unit: 'ms', note: `20 rules: ${median(twenty.map((t) => t.load.p99)).toFixed(1)} ms` },
    { name: '  evaluation lag when the load stops', value: Math.max(...twenty.map((t) => t.lagMs)), unit: 'ms', note: `${twenty.map((t) => t.outbox).join(' / ')} notifications decided in the measured rounds, ${received} delivered in all (warm-ups included)` },
  ];
}

export function alertsTable(rows: Row[], backend = 'SQLite'): string {
  return table(`alerts on ${backend} (ingest with and without 20 alert rules, ${CONNECTIONS} connections, ${SECONDS} s per round, ${PAIRS} interleaved pairs)`, rows);
}
