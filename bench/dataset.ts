/**
 * The query data set: 1,000,000 events over 10,000 issues, one issue holding 100,000, spread over
 * 30 days, with lighter payloads (~3.5 KB: no context lines, 5 breadcrumbs; payload size does not
 * enter these queries). Built once into bench/.data/ and reused while its recipe version matches.
 *
 * Built as a seed and copies (like retention-dataset.ts), the same way as the PostgreSQL copy
 * (postgres-dataset.ts), so both backends hold the same data: the recipe's first SEED_EVENTS
 * events go through the server's own digest and EventWriter (worker threads generate and digest,
 * the main thread writes), then the seed's event and tag rows are copied COPIES times (new rows
 * and event ids, times shifted by the seed's share of the 30 days per copy, so copy c lands where
 * the recipe's events c*SEED..(c+1)*SEED would) and the rollups the copies change are recomputed.
 * Why: writing all 1,000,000 went at ~800 events/s on the shared machine (21 minutes, session 7).
 * Copies carry the seed's users, so distinct-user counts are the seed's.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { digestEvent } from '../packages/server/src/digest/digest.js';
import { configureConnection, migrate, SCHEMA_VERSION } from '../packages/server/src/store/sqlite/schema.js';
import type { WriterEvent } from '../packages/server/src/store/sqlite/write-path/event-writer.js';
import { encodeReceivedEvent } from '../packages/server/src/store/payload-codec.js';
import { issueSampler, makeEvent, rng } from './payload.js';
import { tsWorkerBootstrap } from './pool.js';
import { log } from './report.js';

export const DATASET = {
  /** Bump when the recipe changes so a stale cache is rebuilt. */
  version: 2,
  events: 1_000_000,
  issues: 10_000,
  bigIssueEvents: 100_000,
  days: 30,
  batch: 5_000,
  /** Events written through the writer; the rest are copies of them (see above). */
  seedEvents: 100_000,
  dir: new URL('./.data/queries/', import.meta.url).pathname,
};

export interface DatasetInfo {
  version: number;
  /** The server's migration count when built; a newer schema means a rebuild. */
  schemaVersion: number;
  dataDir: string;
  projectId: number;
  adminToken: string;
  bigIssueId: number;
  events: number;
  issues: number;
  builtAt: string;
  buildSeconds: number;
}

/** Event number -> issue number: every 10th event is the big issue 0; each other issue gets one, then Zipf. */
function issueFor(i: number, sampler: (random: () => number) => number): number {
  const ratio = DATASET.events / DATASET.bigIssueEvents;
  if (i % ratio === 0) return 0;
  const other = i - Math.floor(i / ratio) - 1;
  if (other < DATASET.issues - 1) return other + 1;
  return 1 + sampler(rng(i * 2654435761));
}

/** Events span the `days` before `end` (the build time), so "last 30 days" windows cover them. */
/** Digested and with payloads already deflated, so the single writing thread only writes. */
function digestRange(from: number, to: number, end: number): WriterEvent[] {
  const sampler = issueSampler(DATASET.issues - 1, 1.0);
  const span = DATASET.days * 86_400_000;
  const start = end - span;
  const out: WriterEvent[] = [];
  for (let i = from; i < to; i++) {
    const ms = start + Math.floor((i / DATASET.events) * span) + (i % 997);
    const raw = makeEvent({ issue: issueFor(i, sampler), timestamp: ms / 1000, seed: i + 1, light: true });
    const event = digestEvent(raw, 1, { receivedMs: ms });
    out.push({ ...event, payload: encodeReceivedEvent(event.payload) });
  }
  return out;
}

if (!isMainThread && (workerData as { kind?: string })?.kind === 'bench-dataset') {
  const { ranges, end } = workerData as { ranges: Array<[number, number]>; end: number };
  let next = 0;
  const produce = () => {
    const range = ranges[next++];
    parentPort!.postMessage(range ? digestRange(range[0], range[1], end) : null);
  };
  parentPort!.on('message', produce);
  produce();
}

const metaPath = () => join(DATASET.dir, 'meta.json');

function readMeta(): DatasetInfo | null {
  if (!existsSync(metaPath())) return null;
  const info = JSON.parse(readFileSync(metaPath(), 'utf8')) as DatasetInfo;
  return info.version === DATASET.version && existsSync(join(info.dataDir, 'proliferate.sqlite3')) ? info : null;
}

/**
 * The cached data set, or a fresh build. A cache from an older schema is migrated in place with
 * the server's own migrations (which backfill what they add), cheaper than a rebuild.
 */
export async function ensureDataset(): Promise<DatasetInfo> {
  const cached = readMeta();
  if (!cached) return buildDataset();
  const current = SCHEMA_VERSION;
  if (cached.schemaVersion !== current) {
    log(`queries: migrating the cached data set from schema ${cached.schemaVersion} to ${current}`);
    const started = performance.now();
    const db = new Database(join(cached.dataDir, 'proliferate.sqlite3'));
    configureConnection(db, 'writer');
    migrate(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    cached.schemaVersion = current;
    writeFileSync(metaPath(), JSON.stringify(cached, null, 2) + '\n');
    log(`queries: migrated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  log(`queries: using the cached data set in ${cached.dataDir} (built ${cached.builtAt} in ${cached.buildSeconds} s)`);
  return cached;
}

async function buildDataset(): Promise<DatasetInfo> {
  const started = performance.now();
  rmSync(DATASET.dir, { recursive: true, force: true });
  const dataDir = join(DATASET.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  log(`queries: building ${DATASET.events.toLocaleString('en-US')} events over ${DATASET.issues.toLocaleString('en-US')} issues in ${dataDir} (once; cached)`);

  // Schema, default project and an admin token through the store, as the server would make them.
  const { SqliteStore } = await import('../packages/server/src/store/sqlite/store.js');
  const store = new SqliteStore({ dataDir, withWriter: false });
  const project = await store.createProject({ name: 'Default', slug: 'default' });
  const { token } = await store.createToken({ name: 'bench admin' });
  await store.close();

  const { EventWriter } = await import('../packages/server/src/store/sqlite/write-path/event-writer.js');
  const db = new Database(join(dataDir, 'proliferate.sqlite3'));
  configureConnection(db, 'writer');
  db.pragma('synchronous = OFF'); // a cache that is rebuilt if lost; the ingest bench measures durable writes
  const writer = new EventWriter(db);

  const ranges: Array<[number, number]> = [];
  for (let from = 0; from < DATASET.seedEvents; from += DATASET.batch) ranges.push([from, Math.min(DATASET.seedEvents, from + DATASET.batch)]);
  const threads = Math.max(1, Math.min(availableParallelism(), 4));
  const end = Date.now();
  let written = 0;
  let lastLog = performance.now();
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const mine = ranges.filter((_, i) => i % threads === t);
      const worker = new Worker(tsWorkerBootstrap(import.meta.url), { eval: true, workerData: { kind: 'bench-dataset', ranges: mine, end } });
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (batch: WriterEvent[] | null) => {
          if (batch === null) {
            void worker.terminate().then(() => resolve());
            return;
          }
          worker.postMessage('next'); // digest the next batch while this one is written
          writer.write(batch, []);
          written += batch.length;
          if (performance.now() - lastLog > 10_000) {
            lastLog = performance.now();
            const rate = written / ((lastLog - started) / 1000);
            log(`queries: seed ${written.toLocaleString('en-US')} events written (${Math.round(rate)}/s, ~${Math.round((DATASET.seedEvents - written) / rate)} s left)`);
          }
        });
        worker.once('error', reject);
      });
    }),
  );

  writer.flush();
  written += copySeed(db);

  // Some issues resolved or ignored, so `is:unresolved` has something to filter out.
  db.exec(`UPDATE issues SET status = 'resolved' WHERE id % 5 = 0 AND count < 50000;
           UPDATE issues SET status = 'ignored' WHERE id % 7 = 0 AND status = 'unresolved' AND count < 50000;`);
  const big = db.prepare('SELECT id, count FROM issues ORDER BY count DESC LIMIT 1').get() as { id: number; count: number };
  const issues = (db.prepare('SELECT count(*) AS n FROM issues').get() as { n: number }).n;
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();

  const info: DatasetInfo = {
    version: DATASET.version,
    schemaVersion: SCHEMA_VERSION,
    dataDir,
    projectId: project.id,
    adminToken: token,
    bigIssueId: big.id,
    events: written,
    issues,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  writeFileSync(metaPath(), JSON.stringify(info, null, 2) + '\n');
  log(`queries: data set built in ${info.buildSeconds} s: ${written} events, ${issues} issues, largest issue ${big.id} with ${big.count} events`);
  return info;
}

/** The seed's share of the 30 days: copy c is shifted by c times it. */
export const COPY_SHIFT_MS = Math.round((DATASET.days * 86_400_000 * DATASET.seedEvents) / DATASET.events);

/**
 * Copies the seed's events and tag rows (rows row + c * maxRow, fresh event ids, times + c *
 * COPY_SHIFT_MS) and recomputes what the copies change, as the writer's increments would have summed
 * it: issue counts and times, hourly counts per issue, project and tag value, and the per-issue tag
 * value counts (in place: the copies add no new (issue, value) pair, and identity values have none).
 */
function copySeed(db: Database.Database): number {
  const seed = db.prepare('SELECT count(*) AS n, max(row) AS maxRow FROM events').get() as { n: number; maxRow: number };
  if (seed.n !== DATASET.seedEvents) throw new Error(`the seed holds ${seed.n} events, not ${DATASET.seedEvents}`);
  const columns = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
  const values = columns.map((name) =>
    name === 'row' ? 'row + @offset' : name === 'event_id' ? 'randomblob(16)' : name === 'timestamp' || name === 'received' ? `${name} + @shift` : name,
  );
  const copyEvents = db.prepare(`INSERT INTO events (${columns.join(', ')}) SELECT ${values.join(', ')} FROM events WHERE row <= @maxRow ORDER BY row`);
  const copyTags = db.prepare('INSERT INTO event_tags (value_id, event_row) SELECT value_id, event_row + @offset FROM event_tags WHERE event_row <= @maxRow');
  const copies = DATASET.events / DATASET.seedEvents - 1;
  for (let c = 1; c <= copies; c++) {
    db.transaction(() => {
      const params = { offset: c * seed.maxRow, shift: c * COPY_SHIFT_MS, maxRow: seed.maxRow };
      copyEvents.run(params);
      copyTags.run(params);
    })();
    log(`queries: copy ${c}/${copies} of the seed`);
  }
  const HOUR = 3_600_000;
  db.transaction(() => {
    db.exec(`
      UPDATE issues SET (count, first_seen, last_seen) = (SELECT count(*), min(timestamp), max(timestamp) FROM events e WHERE e.issue_id = issues.id);
      DELETE FROM issue_hours;
      INSERT INTO issue_hours (issue_id, hour, count) SELECT issue_id, timestamp / ${HOUR}, count(*) FROM events GROUP BY 1, 2;
      DELETE FROM project_hours;
      INSERT INTO project_hours (project_id, hour, count) SELECT project_id, timestamp / ${HOUR}, count(*) FROM events GROUP BY 1, 2;
      DELETE FROM tag_value_hours;
      INSERT INTO tag_value_hours (value_id, hour, count)
        SELECT et.value_id, e.timestamp / ${HOUR}, count(*) FROM event_tags et JOIN events e ON e.row = et.event_row GROUP BY 1, 2;
      UPDATE issue_tag_values SET (count, first_seen, last_seen) = (t.n, t.first, t.last)
        FROM (SELECT e.issue_id, et.value_id, count(*) AS n, min(e.timestamp) AS first, max(e.timestamp) AS last
              FROM event_tags et JOIN events e ON e.row = et.event_row GROUP BY 1, 2) t
        WHERE issue_tag_values.issue_id = t.issue_id AND issue_tag_values.value_id = t.value_id;
    `);
  })();
  return copies * seed.n;
}
