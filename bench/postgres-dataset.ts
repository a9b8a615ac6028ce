/**
 * The query data set (dataset.ts: the same 1,000,000 events, same recipe, same workers) in a
 * PostgreSQL database of the local cluster, written through PostgresStore.write in batches of
 * 5,000. Kept between runs as the database `proliferate_bench_queries` and reused while the recipe
 * and schema versions match (bench/.data/queries-postgres.json).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { SCHEMA_VERSION } from '../packages/server/src/store/postgres/schema.js';
import { PostgresStore } from '../packages/server/src/store/postgres/store.js';
import type { DigestedEvent } from '../packages/server/src/store/types.js';
import { createTestDatabase } from '../tests/helpers/postgres.js';
import { DATASET } from './dataset.js';
import { tsWorkerBootstrap } from './pool.js';
import { log } from './report.js';

export interface PostgresDatasetInfo {
  version: number;
  schemaVersion: number;
  url: string;
  projectId: number;
  adminToken: string;
  bigIssueId: number;
  events: number;
  builtAt: string;
  buildSeconds: number;
}

const metaPath = new URL('./.data/queries-postgres.json', import.meta.url).pathname;

async function databaseExists(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n) === DATASET.events;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function ensurePostgresDataset(): Promise<PostgresDatasetInfo> {
  if (existsSync(metaPath)) {
    const cached = JSON.parse(readFileSync(metaPath, 'utf8')) as PostgresDatasetInfo;
    if (cached.version === DATASET.version && cached.schemaVersion === SCHEMA_VERSION && (await databaseExists(cached.url))) {
      log(`queries (postgres): using the cached data set (built ${cached.builtAt} in ${cached.buildSeconds} s)`);
      return cached;
    }
  }
  const started = performance.now();
  const db = await createTestDatabase('bench_queries');
  log(`queries (postgres): building ${DATASET.events.toLocaleString('en-US')} events in a fresh database (once; cached)`);
  const store = await PostgresStore.open({ url: db.url, poolSize: 4 });
  const project = await store.createProject({ name: 'Default', slug: 'default' });
  const { token } = await store.createToken({ name: 'bench admin' });
  const ranges: Array<[number, number]> = [];
  for (let from = 0; from < DATASET.events; from += DATASET.batch) ranges.push([from, Math.min(DATASET.events, from + DATASET.batch)]);
  const threads = Math.max(1, Math.min(availableParallelism(), 4));
  const end = Date.now();
  let written = 0;
  let lastLog = performance.now();
  const writes: Array<Promise<unknown>> = [];
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const mine = ranges.filter((_, i) => i % threads === t);
      const worker = new Worker(tsWorkerBootstrap(new URL('./dataset.ts', import.meta.url).href), { eval: true, workerData: { kind: 'bench-dataset', ranges: mine, end } });
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (batch: DigestedEvent[] | null) => {
          if (batch === null) {
            void worker.terminate().then(() => resolve());
            return;
          }
          // Payloads come encoded (Uint8Array); the writer stores encoded payloads as they are.
          const write = store.write(batch.map((e) => ({ ...e, projectId: project.id })), []).then(() => {
            written += batch.length;
            if (performance.now() - lastLog > 10_000) {
              lastLog = performance.now();
              const rate = written / ((lastLog - started) / 1000);
              log(`queries (postgres): ${written.toLocaleString('en-US')} events written (${Math.round(rate)}/s, ~${Math.round((DATASET.events - written) / rate)} s left)`);
            }
            worker.postMessage('next');
          });
          writes.push(write);
          write.catch(reject);
        });
        worker.once('error', reject);
      });
    }),
  );
  await Promise.all(writes);
  await store.close();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`UPDATE issues SET status = 'resolved' WHERE id % 5 = 0 AND count < 50000`);
  await client.query(`UPDATE issues SET status = 'ignored' WHERE id % 7 = 0 AND status = 'unresolved' AND count < 50000`);
  await client.query('VACUUM ANALYZE');
  const big = (await client.query<{ id: number }>('SELECT id FROM issues ORDER BY count DESC LIMIT 1')).rows[0]!;
  await client.end();
  const info: PostgresDatasetInfo = {
    version: DATASET.version,
    schemaVersion: SCHEMA_VERSION,
    url: db.url,
    projectId: project.id,
    adminToken: token,
    bigIssueId: big.id,
    events: written,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync(new URL('./.data/', import.meta.url).pathname, { recursive: true });
  writeFileSync(metaPath, JSON.stringify(info, null, 2) + '\n');
  log(`queries (postgres): built in ${info.buildSeconds} s`);
  return info;
}
