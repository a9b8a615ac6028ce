import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../../../digest/digest.js';
import { configureConnection, migrate } from '../schema.js';
import { EventWriter } from './event-writer.js';
import { ApplyPolicy } from './apply-policy.js';
import { DATABASE_FILE, SqliteStore } from '../store.js';

const HOUR = 3_600_000;
const base = Date.UTC(2026, 10, 20, 10, 0, 0);
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function openDatabase(dir?: string): { db: Database.Database; dir: string } {
  const where = dir ?? mkdtempSync(join(tmpdir(), 'proliferate-derived-'));
  if (!dir) dirs.push(where);
  const db = new Database(join(where, DATABASE_FILE));
  configureConnection(db, 'writer');
  migrate(db);
  db.prepare(`INSERT OR IGNORE INTO projects (id, slug, name, created_at) VALUES (1, 'p', 'P', 0)`).run();
  return { db, dir: where };
}

function events(count: number, offset = 0) {
  return Array.from({ length: count }, (_, n) => {
    const i = n + offset;
    return digestEvent(
      {
        event_id: (i + 1).toString(16).padStart(32, '0'),
        timestamp: (base + (i % 6) * HOUR) / 1000,
        release: `1.0.${i % 3}`,
        user: { id: `user-${i % 11}` },
        contexts: { account: { id: `acct-${i % 4}` } },
        exception: { values: [{ type: i % 2 ? 'AlphaError' : 'BetaError', value: 'x', stacktrace: { frames: [{ function: 'f', filename: 'a.js' }] } }] },
        tags: { tier: ['free', 'pro', 'enterprise'][i % 3]!, region: `r-${i % 5}` },
      },
      1,
      { receivedMs: base },
    );
  });
}

/** Every derived table, in a stable order, for comparing two databases. */
function derivedState(db: Database.Database) {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    issues: all('SELECT fingerprint, count, user_count, account_count, first_seen, last_seen, first_release, last_release FROM issues ORDER BY fingerprint'),
    eventTags: all('SELECT v.key, v.value, e.event_id FROM event_tags t JOIN tag_values v ON v.id = t.value_id JOIN events e ON e.row = t.event_row ORDER BY 1, 2, 3'),
    issueTags: all('SELECT i.fingerprint, v.key, v.value, t.count, t.first_seen, t.last_seen FROM issue_tag_values t JOIN issues i ON i.id = t.issue_id JOIN tag_values v ON v.id = t.value_id ORDER BY 1, 2, 3'),
    issueHours: all('SELECT i.fingerprint, h.hour, h.count FROM issue_hours h JOIN issues i ON i.id = h.issue_id ORDER BY 1, 2'),
    tagHours: all('SELECT v.key, v.value, h.hour, h.count FROM tag_value_hours h JOIN tag_values v ON v.id = h.value_id ORDER BY 1, 2, 3'),
    projectHours: all('SELECT hour, count FROM project_hours ORDER BY hour'),
    users: all('SELECT i.fingerprint, u.user_key FROM issue_users u JOIN issues i ON i.id = u.issue_id ORDER BY 1, 2'),
  };
}

/** The single number a query returns (its column is named n). */
const scalar = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

/** A policy under which nothing is applied with a batch unless a read asks. */
const gatherAll = new ApplyPolicy({ settings: { batchAfterMs: 3_600_000, batchAfterEvents: 1_000_000 } });

test('rows gathered over many busy batches equal the rows of batches applied one by one', () => {
  const exact = openDatabase().db;
  const exactWriter = new EventWriter(exact);
  const gathered = openDatabase().db;
  const gatheringWriter = new EventWriter(gathered, gatherAll);
  const all = events(240);
  for (let i = 0; i < all.length; i += 20) {
    exactWriter.write(all.slice(i, i + 20), []);
    gatheringWriter.write(all.slice(i, i + 20), [], [], false);
  }
  // Nothing derived is applied yet under load; the events themselves are stored.
  assert.equal(scalar(gathered, 'SELECT count(*) AS n FROM event_tags'), 0);
  assert.equal(scalar(gathered, 'SELECT sum(count) AS n FROM issues'), 0);
  assert.equal(scalar(gathered, 'SELECT count(*) AS n FROM events'), 240);
  // A batch that finds nothing else queued applies everything gathered.
  gatheringWriter.write(events(10, 240), [], [], true);
  exactWriter.write(events(10, 240), []);
  assert.deepEqual(derivedState(gathered), derivedState(exact));
  assert.equal(scalar(gathered, 'SELECT sum(count) AS n FROM issues'), 250);
  assert.equal(scalar(gathered, 'SELECT count(*) AS n FROM derived_journal'), 0);
  exact.close();
  gathered.close();
});

test('rows gathered but not applied before a crash are applied from the journal on restart', () => {
  const reference = openDatabase().db;
  new EventWriter(reference).write(events(120), []);

  const { db, dir } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  for (let i = 0; i < 120; i += 15) writer.write(events(15, i), [], [], false);
  assert.equal(scalar(db, 'SELECT count(*) AS n FROM derived_journal'), 8);
  // The process dies: no flush, the connection just goes away.
  db.close();

  // The writer thread of the restarted server flushes as it starts (writer-worker.ts).
  const reopened = openDatabase(dir).db;
  new EventWriter(reopened).flush();
  assert.deepEqual(derivedState(reopened), derivedState(reference));
  assert.equal(scalar(reopened, 'SELECT count(*) AS n FROM derived_journal'), 0);
  reference.close();
  reopened.close();
});

test('a batch whose derived rows fail to apply rolls back with its events, and earlier gathered rows count once', () => {
  const reference = openDatabase().db;
  new EventWriter(reference).write(events(45), []);

  const { db } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  writer.write(events(40), [], [], false);
  db.exec(`CREATE TEMP TRIGGER fail_apply BEFORE INSERT ON issue_hours BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  assert.throws(() => writer.write(events(5, 40), [], [], true), /injected failure/);
  assert.equal(scalar(db, 'SELECT count(*) AS n FROM events'), 40, 'the failed batch is not stored');
  db.exec('DROP TRIGGER fail_apply');
  // The client retries the failed batch; the 40 gathered before it must not be counted twice.
  writer.write(events(5, 40), [], [], true);
  assert.deepEqual(derivedState(db), derivedState(reference));
  reference.close();
  db.close();
});

test('two writers on one database apply each journaled batch once', () => {
  const reference = openDatabase().db;
  new EventWriter(reference).write(events(60), []);

  const { db, dir } = openDatabase();
  const first = new EventWriter(db, gatherAll);
  first.write(events(30), [], [], false);
  // A second server starts on the same data directory and replays the first one's journal.
  const other = openDatabase(dir).db;
  const second = new EventWriter(other, gatherAll);
  second.flush();
  // The first still holds those rows in memory: applying them again is refused and rolled back.
  assert.throws(() => first.flush(), /applied by another writer/);
  first.write(events(30, 30), [], [], true);
  assert.deepEqual(derivedState(db), derivedState(reference));
  reference.close();
  other.close();
  db.close();
});

test('a resolved issue reopens only for events committed after it was resolved, however late counts are applied', async () => {
  const { db, dir } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  const before = events(4).filter((e) => e.title.startsWith('AlphaError'));
  const [{ issueId }] = writer.write(before, [], [], true);
  // Under load: one more event is committed, then the issue is resolved, then the counts land.
  writer.write(events(1, 10).map((e) => ({ ...e, fingerprint: before[0]!.fingerprint })), [], [], false);
  const admin = new SqliteStore({ dataDir: dir, withWriter: false });
  await admin.setIssueStatus(issueId!, 'resolved');
  writer.flush();
  let issue = await admin.getIssue(issueId!);
  assert.equal(issue?.status, 'resolved', 'an event committed before the resolution does not reopen it');
  assert.equal(issue?.count, 3);
  // An event committed after the resolution reopens it and marks it regressed.
  writer.write(events(1, 20).map((e) => ({ ...e, fingerprint: before[0]!.fingerprint })), [], [], true);
  issue = await admin.getIssue(issueId!);
  assert.equal(issue?.status, 'unresolved');
  assert.equal(issue?.isRegressed, true);
  assert.equal(issue?.count, 4);
  await admin.close();
  db.close();
});

test('gathered rows applied a slice at a time, oldest journal batches first, end equal to rows applied one by one', () => {
  const reference = openDatabase().db;
  new EventWriter(reference).write(events(200), []);

  const { db } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  for (let i = 0; i < 200; i += 25) writer.write(events(25, i), [], [], false);
  const journal = () => db.prepare('SELECT batch FROM derived_journal ORDER BY batch').pluck().all() as number[];
  const batches = journal();
  assert.equal(batches.length, 8);

  // Whole journal batches up to the limit: 60 events take two batches of 25, not a part of a third.
  assert.equal(writer.applyOldest(60), 50);
  assert.deepEqual(journal(), batches.slice(2));
  assert.equal(scalar(db, 'SELECT sum(count) AS n FROM issues'), 50);
  // The events counted are the oldest ones.
  assert.equal(scalar(db, 'SELECT count(DISTINCT event_row) AS n FROM event_tags WHERE event_row > (SELECT min(row) + 49 FROM events)'), 0);
  assert.equal(writer.pendingDerived, 150);

  // A limit below one batch still applies one whole batch.
  assert.equal(writer.applyOldest(1), 25);
  while (writer.applyOldest(40) > 0);
  assert.equal(writer.pendingDerived, 0);
  assert.deepEqual(journal(), []);
  assert.deepEqual(derivedState(db), derivedState(reference));
  reference.close();
  db.close();
});

test('a crash between slices applies only the journal batches no slice had applied, once each', () => {
  const reference = openDatabase().db;
  new EventWriter(reference).write(events(90), []);

  const { db, dir } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  for (let i = 0; i < 90; i += 30) writer.write(events(30, i), [], [], false);
  assert.equal(writer.applyOldest(30), 30);
  db.close();

  const reopened = openDatabase(dir).db;
  const restarted = new EventWriter(reopened);
  assert.equal(restarted.pendingDerived, 60);
  restarted.flush();
  assert.deepEqual(derivedState(reopened), derivedState(reference));
  reference.close();
  reopened.close();
});

test('appliedBefore names the first request whose rows still wait: requests before it are counted, and a journal replayed without request ids counts none as applied', () => {
  const { db, dir } = openDatabase();
  const writer = new EventWriter(db, gatherAll);
  assert.equal(writer.appliedBefore, Number.POSITIVE_INFINITY, 'nothing gathered: every request is applied');
  writer.write(events(3), [], [], false, 10);
  writer.write(events(3, 3), [], [], false, 14);
  assert.equal(writer.appliedBefore, 10);
  writer.applyOldest(1);
  assert.equal(writer.appliedBefore, 14, 'the oldest batch (requests 10-13) applied');
  writer.write(events(2, 6), [], [], false, 20);
  db.close();
  // After a restart the journal has no request ids: nothing may be taken as applied until it is.
  const reopened = openDatabase(dir).db;
  const replayed = new EventWriter(reopened, gatherAll);
  assert.equal(replayed.appliedBefore, 0);
  replayed.flush();
  assert.equal(replayed.appliedBefore, Number.POSITIVE_INFINITY);
  assert.equal(scalar(reopened, 'SELECT sum(count) AS n FROM issues'), 8);
  reopened.close();
});
