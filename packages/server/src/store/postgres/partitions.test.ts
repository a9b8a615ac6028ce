import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../../tests/helpers/postgres.js';
import { digestEvent } from '../../digest/digest.js';
import { ensurePartitions, partitionName, weekStart } from './partitions.js';
import { PostgresStore } from './store.js';

const DAY = 86_400_000;
let db: TestDatabase;
let store: PostgresStore;
let check: Kysely<any>;
let projectId: number;

before(async () => {
  db = await createTestDatabase('partitions');
  store = await PostgresStore.open({ url: db.url });
  check = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }) });
  projectId = (await store.createProject({ name: 'Partitions' })).id;
});
after(async () => {
  await check.destroy();
  await store.close();
  await db.drop();
});

const event = (id: number, timestampMs: number) =>
  digestEvent({ event_id: id.toString(16).padStart(32, '0'), timestamp: timestampMs / 1000, message: 'partitioned' }, projectId, { receivedMs: Date.now() });

async function partitionOf(eventId: number): Promise<string> {
  const { rows } = await sql<{ p: string }>`SELECT tableoid::regclass::text AS p FROM events WHERE event_id = ${Buffer.from(eventId.toString(16).padStart(32, '0'), 'hex')}`.execute(check);
  return rows[0]!.p;
}

test('weeks start on Monday 00:00 UTC and partitions are named after them', () => {
  const monday = Date.UTC(2026, 10, 30);
  assert.equal(weekStart(monday), monday);
  assert.equal(weekStart(monday + 6 * DAY + 86_399_999), monday);
  assert.equal(weekStart(monday - 1), monday - 7 * DAY);
  assert.equal(partitionName('events', monday), 'events_w20261130');
});

test("an event of this week lands in this week's partition, an old one in the default partition; both read back", async () => {
  const now = Date.now();
  const old = Date.UTC(2020, 0, 15);
  await store.write([event(1, now), event(2, old)], []);
  assert.equal(await partitionOf(1), partitionName('events', weekStart(now)));
  assert.equal(await partitionOf(2), 'events_default');
  assert.ok(await store.getEvent(projectId, (2).toString(16).padStart(32, '0')));
});

test('a week created after its rows reached the default partition takes them with it', async () => {
  const old = Date.UTC(2020, 0, 15);
  await check.transaction().execute((tx) => ensurePartitions(tx, old));
  assert.equal(await partitionOf(2), partitionName('events', weekStart(old)));
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM event_tags_default`.execute(check);
  assert.equal(Number(rows[0]!.n), 0, 'its tag rows moved too');
  const stored = await store.getEvent(projectId, (2).toString(16).padStart(32, '0'));
  assert.equal(stored?.timestamp, new Date(old).toISOString());
});
