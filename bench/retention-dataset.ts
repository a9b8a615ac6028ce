/**
 * The retention bench's data set: BENCH_RETENTION_EVENTS old events (default 1,000,000, 100-130
 * days old, 1,000 issues) in one project, in bench/.data/retention-<events>/.
 *
 * Built fast: through the store's write path it went at ~1,000 events/s on the shared machine (the
 * session-6 build was stopped at 340,000 events after six minutes; a million would take 17 minutes
 * or more). Here a seed of SEED_EVENTS events goes through the server's own digestEvent and
 * EventWriter (events, issues, tag values, tag rows, every rollup, distinct users), then SQLite
 * copies the seed's event and tag rows in bulk (new rows, new event ids, times shifted by a second
 * per copy) and recomputes the rollups the copies change (issue counts and times, per-issue tag
 * counts, hourly counts) with the same GROUP BY queries as the schema's own backfills. Distinct
 * users are those of the seed: the copies carry the same users.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../packages/server/src/digest/digest.js';
import { encodeReceivedEvent } from '../packages/server/src/store/payload-codec.js';
import { configureConnection, SCHEMA_VERSION } from '../packages/server/src/store/sqlite/schema.js';
import { SqliteStore } from '../packages/server/src/store/sqlite/store.js';
import type { WriterEvent } from '../packages/server/src/store/sqlite/write-path/event-writer.js';
import { makeEvent } from './payload.js';
import { log } from './report.js';

export const RETENTION_EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const SEED_EVENTS = Math.min(RETENTION_EVENTS, 10_000);
const DIR = new URL(`./.data/retention-${RETENTION_EVENTS}/`, import.meta.url).pathname;
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Bump when the recipe changes so a stale cache is rebuilt. */
const RECIPE = 3;

export interface RetentionDataset {
  recipe: number;
  schemaVersion: number;
  dataDir: string;
  projectId: number;
  publicKey: string;
  adminToken: string;
  events: number;
  buildSeconds: number;
}

export async function ensureRetentionDataset(): Promise<RetentionDataset> {
  const infoFile = join(DIR, 'info.json');
  if (existsSync(infoFile)) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as RetentionDataset;
    if (info.recipe === RECIPE && info.schemaVersion === SCHEMA_VERSION && info.events === RETENTION_EVENTS) return info;
  }
  rmSync(DIR, { recursive: true, force: true });
  const dataDir = join(DIR, 'data');
  mkdirSync(dataDir, { recursive: true });
  const started = performance.now();

  // Schema, project and admin token as the server makes them.
  const store = new SqliteStore({ dataDir, withWriter: false });
  const project = await store.createProject({ name: 'Retention bench' });
  const { token } = await store.createToken({ name: 'bench' });
  await store.close();

  const { EventWriter } = await import('../packages/server/src/store/sqlite/write-path/event-writer.js');
  const db = new Database(join(dataDir, 'proliferate.sqlite3'));
  configureConnection(db, 'writer');
  db.pragma('synchronous = OFF'); // a cache rebuilt if lost
  const writer = new EventWriter(db);
  // Times grow with rows, as on a live server (each copy takes the next slice of the 30 days): the
  // purge deletes oldest first, and rows that old-first order scatters over the file (recipe 2
  // interleaved the copies a second apart) cost it ~4 times more pages per commit than a server's own data.
  const copiesInAll = Math.ceil(RETENTION_EVENTS / SEED_EVENTS);
  const span = Math.floor((30 * DAY) / copiesInAll);
  const start = Date.now() - 130 * DAY;
  for (let from = 0; from < SEED_EVENTS; from += 2000) {
    const batch: WriterEvent[] = [];
    for (let i = from; i < Math.min(SEED_EVENTS, from + 2000); i++) {
      // The seed fills the first slice; copy c is shifted c slices later, so all stay 100-130 days old.
      const timestamp = start + Math.floor((i / SEED_EVENTS) * span);
      const event = digestEvent(makeEvent({ issue: i % 1000, timestamp: timestamp / 1000, seed: i, light: true }), project.id, { receivedMs: timestamp });
      batch.push({ ...event, payload: encodeReceivedEvent(event.payload) });
    }
    writer.write(batch, []);
  }
  writer.flush();
  const seed = db.prepare('SELECT min(row) AS first, max(row) AS last, count(*) AS n FROM events').get() as { first: number; last: number; n: number };
  if (seed.n !== SEED_EVENTS || seed.last - seed.first + 1 !== seed.n) throw new Error(`the seed is not ${SEED_EVENTS} consecutive rows: ${JSON.stringify(seed)}`);
  log(`retention data set: seed of ${seed.n.toLocaleString('en')} events written in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  // Copies c = 1..: row + c * n, a fresh event id, times c slices later.
  const columns = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
  const values = columns.map((name) =>
    name === 'row' ? 'row + @offset' : name === 'event_id' ? 'randomblob(16)' : name === 'timestamp' || name === 'received' ? `${name} - @shift` : name,
  );
  const copyEvents = db.prepare(`INSERT INTO events (${columns.join(', ')}) SELECT ${values.join(', ')} FROM events WHERE row BETWEEN @first AND @last ORDER BY row`);
  const copyTags = db.prepare('INSERT INTO event_tags (value_id, event_row) SELECT value_id, event_row + @offset FROM event_tags WHERE event_row BETWEEN @first AND @last');
  const copies = Math.ceil(RETENTION_EVENTS / seed.n) - 1;
  let written = seed.n;
  for (let c = 1; c <= copies; c++) {
    const last = Math.min(seed.last, seed.first + (RETENTION_EVENTS - written) - 1);
    db.transaction(() => {
      const params = { offset: c * seed.n, shift: -c * span, first: seed.first, last };
      copyEvents.run(params);
      copyTags.run(params);
    })();
    written += last - seed.first + 1;
    if (c % 10 === 0) log(`retention data set: ${written.toLocaleString('en')} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  // The rollups the copies change, as the schema's backfills compute them.
  db.transaction(() => {
    db.exec(`
      UPDATE issues SET (count, first_seen, last_seen) = (SELECT count(*), min(timestamp), max(timestamp) FROM events e WHERE e.issue_id = issues.id)
        WHERE project_id = ${project.id};
      DELETE FROM issue_hours;
      INSERT INTO issue_hours (issue_id, hour, count) SELECT issue_id, timestamp / ${HOUR}, count(*) FROM events GROUP BY 1, 2;
      DELETE FROM project_hours;
      INSERT INTO project_hours (project_id, hour, count) SELECT project_id, timestamp / ${HOUR}, count(*) FROM events GROUP BY 1, 2;
      DELETE FROM tag_value_hours;
      INSERT INTO tag_value_hours (value_id, hour, count)
        SELECT et.value_id, e.timestamp / ${HOUR}, count(*) FROM event_tags et JOIN events e ON e.row = et.event_row GROUP BY 1, 2;
      DELETE FROM issue_tag_values;
      INSERT INTO issue_tag_values (issue_id, value_id, count, first_seen, last_seen)
        SELECT e.issue_id, et.value_id, count(*), min(e.timestamp), max(e.timestamp) FROM event_tags et JOIN events e ON e.row = et.event_row GROUP BY 1, 2;
    `);
  })();
  const total = (db.prepare('SELECT count(*) FROM events').pluck().get() as number) ?? 0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const info: RetentionDataset = {
    recipe: RECIPE,
    schemaVersion: SCHEMA_VERSION,
    dataDir,
    projectId: project.id,
    publicKey: project.publicKey,
    adminToken: token,
    events: total,
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  if (total !== RETENTION_EVENTS) throw new Error(`the data set holds ${total} events, not ${RETENTION_EVENTS}`);
  writeFileSync(infoFile, JSON.stringify(info));
  log(`retention data set: ${total.toLocaleString('en')} events built in ${info.buildSeconds} s`);
  return info;
}
