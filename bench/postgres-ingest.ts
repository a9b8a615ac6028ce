/**
 * Ingest on PostgreSQL (`npm run bench -- ingest --store postgres`): the same envelopes and load
 * as ingest.ts, against one server process and then two processes on one database (half the
 * connections each, summed), each run on a fresh database of the local cluster. Acks are durable
 * (synchronous_commit = on, the default).
 */
import pg from 'pg';
import { createTestDatabase } from '../tests/helpers/postgres.js';
import { describe, envelopeTarget, INGEST } from './ingest.js';
import { closedLoop, type LoadResult } from './load.js';
import { buildPool } from './pool.js';
import { startProliferate } from './processes.js';
import { log, table, type Row } from './report.js';

const SECONDS = 20;

async function run(processes: number, pool: Buffer[], cursor: { next: number }): Promise<{ result: LoadResult; bytesPerEvent: number | null }> {
  const db = await createTestDatabase('bench_ingest');
  const servers = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startProliferate({ env: { PROLIFERATE_DATABASE_URL: db.url } }));
    const targets = servers.map((s) => envelopeTarget(s.url, s.projectId, s.publicKey, pool, cursor));
    const per = Math.floor(INGEST.connections / processes);
    log(`ingest (postgres, ${processes} process${processes > 1 ? 'es' : ''}): warm-up`);
    await Promise.all(targets.map((t) => closedLoop(t, { connections: per, seconds: 5, maxRequests: Math.floor(INGEST.warmupRequests / processes) })));
    const available = Math.floor((pool.length - cursor.next) / processes) - 1;
    log(`ingest (postgres, ${processes} process${processes > 1 ? 'es' : ''}): max throughput, ${INGEST.connections} connections, ${SECONDS} s`);
    const results = await Promise.all(targets.map((t) => closedLoop(t, { connections: per, seconds: SECONDS, maxRequests: available })));
    const merged: LoadResult = {
      ...results[0]!,
      ok: results.reduce((n, r) => n + r.ok, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      perSecond: results.reduce((n, r) => n + r.perSecond, 0),
      p50: Math.max(...results.map((r) => r.p50)),
      p99: Math.max(...results.map((r) => r.p99)),
    };
    log(`  ${describe(merged)}`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: string; bytes: string }>('SELECT (SELECT count(*) FROM events) AS n, pg_database_size(current_database()) AS bytes');
    await client.end();
    return { result: merged, bytesPerEvent: Number(rows[0]!.n) ? Number(rows[0]!.bytes) / Number(rows[0]!.n) : null };
  } finally {
    for (const s of servers) await s.stop();
    await db.drop();
  }
}

export async function runPostgresIngest(): Promise<Row[]> {
  log(`ingest (postgres): generating ${INGEST.poolSize} gzipped envelopes over ${INGEST.issues} issues`);
  const pool = await buildPool({ size: INGEST.poolSize, dsn: 'http://pk_default_bench@127.0.0.1:8000/1', issues: INGEST.issues, seed: Date.now() % 100_000 });
  const one = await run(1, pool, { next: 0 });
  const two = await run(2, pool, { next: 0 });
  return [
    { name: 'postgres: ingest, 1 process (50 conn)', value: one.result.perSecond, unit: 'events/s', note: `${describe(one.result)}; p50 ${one.result.p50.toFixed(1)} ms, p99 ${one.result.p99.toFixed(1)} ms` },
    { name: 'postgres: ingest, 2 processes (25 conn each)', value: two.result.perSecond, unit: 'events/s', target: { op: '>=', value: 6000 }, note: `${describe(two.result)}; p50 ${two.result.p50.toFixed(1)} ms, p99 ${two.result.p99.toFixed(1)} ms (slower process)` },
    { name: 'postgres: database size per event', value: one.bytesPerEvent, unit: 'B', note: 'pg_database_size / events after the 1-process run, schema and WAL-free' },
  ];
}

export function postgresIngestTable(rows: Row[]): string {
  return table('ingest on PostgreSQL (HTTP, same envelopes, durable acks: synchronous_commit = on)', rows);
}
