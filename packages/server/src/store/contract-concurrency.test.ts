/**
 * Several server processes over one database (the backends that support it: PostgreSQL). Each
 * PostgresStore has its own pool and group commit, as a separate process would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../tests/helpers/postgres.js';
import { BACKENDS, errorEvent, HOUR, type OpenedStore } from './contract.fixtures.js';
import { PostgresStore } from './postgres/store.js';
import { SCHEMA_VERSION } from './postgres/schema.js';
import type { Store } from './types.js';

describe('PostgreSQL: several processes start at once', () => {
  let db: TestDatabase;
  before(async () => (db = await createTestDatabase('migrate')));
  after(() => db.drop());

  test('four stores opening a fresh database together migrate it once, and all of them work', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open({ url: db.url })));
    try {
      const check = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }) });
      const { rows } = await sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`.execute(check);
      const partitions = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'events'::regclass`.execute(check);
      await check.destroy();
      assert.deepEqual(rows.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      assert.equal(Number(partitions.rows[0]!.n), 1 + 6, 'the default partition and six weeks');
      const project = await stores[0]!.createProject({ name: 'Started together' });
      for (const store of stores) assert.equal((await store.getProject(project.id))?.slug, 'started-together');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

for (const backend of BACKENDS.filter((b) => b.multiProcess)) {
  describe(`store contract with two processes on ${backend.name}`, () => {
    let opened: OpenedStore;
    let first: Store;
    let second: Store;
    let projectId: number;

    before(async () => {
      opened = await backend.open();
      first = opened.store;
      second = await opened.openAnother!();
      projectId = (await first.createProject({ name: 'Concurrency' })).id;
    });
    after(() => opened.cleanup());

    test('two processes writing one fingerprint at once: one issue, exact counts, users and tag values', async () => {
      const perStore = 40;
      const batch = 10;
      // Every write is a separate call, so each store's group commit batches them its own way.
      const writes = (store: Store, offset: number) =>
        Array.from({ length: perStore }, (_, w) =>
          store.write(
            Array.from({ length: batch }, (_, i) => {
              const n = offset + w * batch + i;
              return errorEvent(projectId, n + 1, 'RaceError', (n % 3) * HOUR, { shard: `s${n % 4}` }, `user-${n % 50}`);
            }),
            [],
          ),
        );
      const outcomes = (await Promise.all([...writes(first, 0), ...writes(second, perStore * batch)])).flat();
      assert.equal(outcomes.filter((o) => o.inserted).length, 2 * perStore * batch);
      assert.equal(new Set(outcomes.map((o) => o.issueId)).size, 1, 'one issue for one fingerprint');
      const issue = await second.getIssue(outcomes[0]!.issueId);
      assert.equal(issue?.count, 800);
      assert.equal(issue?.userCount, 50);
      const shard = await first.issueTagValues(issue!.id, 'shard');
      assert.deepEqual(shard?.values.map((v) => [v.value, v.count]), [['s0', 200], ['s1', 200], ['s2', 200], ['s3', 200]]);
      const hours = await first.issueStats([issue!.id], { from: errorEvent(projectId, 1, 'x', 0, {}).timestamp, to: errorEvent(projectId, 1, 'x', 3 * HOUR, {}).timestamp, interval: 'hour' });
      assert.equal(hours.get(issue!.id)!.reduce((a, b) => a + b, 0), 800);
    });

    test('new fingerprints raced by two processes: each gets exactly one issue; one event sent to both is stored once', async () => {
      const types = Array.from({ length: 30 }, (_, i) => `Fresh${i}Error`);
      const send = (store: Store, base: number) => Promise.all(types.map((type, i) => store.write([errorEvent(projectId, base + i, type, 0, {}, `u${i % 3}`)], [])));
      const [a, b] = await Promise.all([send(first, 10_000), send(second, 20_000)]);
      types.forEach((_, i) => assert.equal(a[i]![0]!.issueId, b[i]![0]!.issueId, `${types[i]} has one issue`));
      const issues = await first.listIssues({ projectId, filter: null, sort: 'freq', limit: 100 });
      for (const issue of issues.items.filter((i) => i.title.startsWith('Fresh'))) assert.equal(issue.count, 2);
      const same = errorEvent(projectId, 99_999, 'SameError', 0, {}, 'alice');
      const [x, y] = await Promise.all([first.write([same], []), second.write([same], [])]);
      assert.deepEqual([x[0]!.inserted, y[0]!.inserted].sort(), [false, true]);
      assert.equal(x[0]!.issueId, y[0]!.issueId);
      const issue = await first.getIssue(x[0]!.issueId);
      assert.equal(issue?.count, 1);
      assert.equal(issue?.userCount, 1);
    });
  });
}
