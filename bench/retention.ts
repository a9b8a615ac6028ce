/**
 * Ingest during a retention purge (issue 17): a project holding BENCH_RETENTION_EVENTS old events
 * (default 1,000,000, 100-130 days old, 1,000 issues; retention-dataset.ts builds them once, in
 * minutes) gets a 30-day retention; while the background pass deletes them, envelopes are sent at
 * a fixed rate and their ack latency measured, against a baseline at the same rate before the
 * purge. The data set is copied per run, since the purge consumes it.
 */
import { cpSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { envelopeTarget } from './ingest.js';
import { fixedRate, type LoadResult } from './load.js';
import { envelope, makeEvent } from './payload.js';
import { startProliferate } from './processes.js';
import { log, percentile, table, type Row } from './report.js';
import { ensureRetentionDataset } from './retention-dataset.js';

const DAY = 86_400_000;
const RATE = 200;
/** The purge is measured to its end; this only stops a run that would never end (1,000,000 events at ~1,500/s take ~11 minutes). */
const MAX_PURGE_MS = 3_600_000;
const MAX_RECLAIM_MS = 300_000;

export async function runRetention(): Promise<Row[]> {
  const built = await ensureRetentionDataset();
  log(`retention data set: ${built.events.toLocaleString('en')} events (built in ${built.buildSeconds} s)`);
  const dataDir = join(tmpdir(), `proliferate-bench-retention-${process.pid}`);
  cpSync(built.dataDir, dataDir, { recursive: true });
  const file = join(dataDir, 'proliferate.sqlite3');
  const server = await startProliferate({
    dataDir,
    adminToken: built.adminToken,
    env: { PROLIFERATE_RETENTION_DAYS: '3650', PROLIFERATE_RETENTION_INTERVAL_MS: '1000', PROLIFERATE_LOG_LEVEL: 'warn' },
  });
  const counter = new Database(file, { readonly: true });
  const remaining = () => counter.prepare('SELECT count(*) FROM events WHERE project_id = ? AND timestamp < ?').pluck().get(built.projectId, Date.now() - 30 * DAY) as number;
  try {
    const pool = Array.from({ length: 4000 }, (_, i) => envelope(makeEvent({ issue: i % 300, timestamp: Date.now() / 1000, seed: 10_000_000 + i }), server.dsn));
    const target = envelopeTarget(server.url, String(built.projectId), built.publicKey, pool, { next: 0 }, true);
    const baseline = await fixedRate(target, { rate: RATE, seconds: 10, connections: 32 });
    const sizeBefore = statSync(file).size + walSize(file);
    const before = remaining();
    const set = await server.api(`/api/0/projects/${built.projectId}/retention/`, { method: 'PUT', body: { retentionDays: 30 } });
    if (set.status !== 200) throw new Error(`retention setting refused: ${JSON.stringify(set.body)}`);
    const purgeStarted = Date.now();
    const during: LoadResult[] = [];
    while (remaining() > 0 && Date.now() - purgeStarted < MAX_PURGE_MS) during.push(await fixedRate(target, { rate: RATE, seconds: 10, connections: 32 }));
    const purgeSeconds = (Date.now() - purgeStarted) / 1000;
    // The pass then gives the freed pages back, 4 MiB a step (incremental_vacuum), still under
    // load (its acks count with the purge's); the file shrinks at the checkpoints that follow.
    const reclaimStarted = Date.now();
    const freePages = () => counter.pragma('freelist_count', { simple: true }) as number;
    while (freePages() > 0 && Date.now() - reclaimStarted < MAX_RECLAIM_MS) during.push(await fixedRate(target, { rate: RATE, seconds: 5, connections: 32 }));
    const latencies = during.flatMap((r) => r.latencies);
    const failed = during.reduce((n, r) => n + r.failed, 0);
    const reclaimSeconds = (Date.now() - reclaimStarted) / 1000;
    // What the database holds (its page count as a reader sees it); the file itself is cut to it at
    // the next complete checkpoint.
    const sizeAfter = (counter.pragma('page_count', { simple: true }) as number) * (counter.pragma('page_size', { simple: true }) as number);
    const fileAfter = statSync(file).size;
    return [
      { name: 'old events purged', value: before - remaining(), unit: 'events', note: `${built.events.toLocaleString('en')} in the data set` },
      { name: 'purge throughput', value: Math.round((before - remaining()) / purgeSeconds), unit: 'events/s', note: `${purgeSeconds.toFixed(0)} s` },
      { name: `ingest p50 at ${RATE}/s, no purge`, value: round(percentile(baseline.latencies, 50)), unit: 'ms' },
      { name: `ingest p99 at ${RATE}/s, no purge`, value: round(percentile(baseline.latencies, 99)), unit: 'ms' },
      { name: `ingest p50 at ${RATE}/s during the purge and reclaim`, value: round(percentile(latencies, 50)), unit: 'ms' },
      { name: `ingest p99 at ${RATE}/s during the purge and reclaim`, value: round(percentile(latencies, 99)), unit: 'ms', target: { op: '<=', value: 250 }, note: `${latencies.length} acks, ${failed} failed` },
      {
        name: 'database size before / after',
        value: Math.round(sizeAfter / 1024 / 1024),
        unit: 'MiB',
        note: `before: ${Math.round(sizeBefore / 1024 / 1024)} MiB (+WAL); ${freePages()} free pages left ${reclaimSeconds.toFixed(0)} s after the purge; file now ${Math.round(fileAfter / 1024 / 1024)} MiB`,
      },
    ];
  } finally {
    counter.close();
    await server.stop({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const walSize = (file: string) => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

const round = (ms: number) => Math.round(ms * 10) / 10;

export function retentionTable(rows: Row[]): string {
  return table('Retention: ingest during a purge (SQLite)', rows);
}
