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
import { replaySegment } from './contract/replay-store.contract.js';
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

    test('a merge while both processes write both fingerprints: every event ends in the merged issue, none is lost or counted in the merged-away one', async () => {
      const p = (await first.createProject({ name: 'Merge race' })).id;
      const [t] = await first.write([errorEvent(p, 900_000, 'KeepError', 0, {}, 'u-keep')], []);
      const [s] = await first.write([errorEvent(p, 900_001, 'GoneError', 0, {}, 'u-gone')], []);
      let n = 900_002;
      // Each store writes batches of both fingerprints while the first one merges, midway.
      const writes = (store: Store) =>
        Array.from({ length: 30 }, () => store.write([errorEvent(p, n++, 'KeepError', 1, {}, `u${n % 7}`), errorEvent(p, n++, 'GoneError', 2, {}, `u${n % 7}`)], []));
      const pending = [...writes(first), ...writes(second)];
      const merged = first.mergeIssues(p, t!.issueId, [s!.issueId]);
      const outcomes = (await Promise.all([...pending, ...writes(second)])).flat();
      assert.deepEqual(await merged, [s!.issueId]);
      const total = 2 + outcomes.length;
      assert.equal(outcomes.filter((o) => o.inserted).length, outcomes.length);
      const target = await second.getIssue(t!.issueId);
      const gone = await second.getIssue(s!.issueId);
      assert.equal(target?.count, total, 'every event is counted in the merged issue');
      assert.equal(gone?.count, 0, 'none is counted in the merged-away issue');
      assert.equal(gone?.mergedInto, t!.issueId);
      const fingerprints = await first.issueFingerprints(t!.issueId);
      assert.deepEqual(fingerprints.map((f) => [f.issueId, f.events]), [[t!.issueId, total / 2], [s!.issueId, total / 2]]);
      assert.equal((await first.listEvents({ projectId: p, issueId: s!.issueId, filter: null, limit: 10 })).items.length, 0);
    });

    test('a new release named by both processes at once is one release with one id', async () => {
      const versions = Array.from({ length: 20 }, (_, i) => `race@${i}`);
      const [a, b] = await Promise.all([first, second].map((store) => Promise.all(versions.map((v) => store.ensureRelease(projectId, v, Date.now())))));
      assert.deepEqual(a, b);
      assert.equal(new Set(a).size, versions.length);
      const listed = await first.listReleases(projectId, 100, 'race@');
      assert.equal(listed.length, versions.length, 'no duplicate rows');
      // upsertRelease from both at once: each field set by one of them is kept.
      await Promise.all([first.upsertRelease(projectId, { version: 'race@0', commitSha: 'abc1234' }), second.upsertRelease(projectId, { version: 'race@0', url: 'https://ci.test/1' })]);
      const release = (await second.getRelease(projectId, 'race@0'))!;
      assert.deepEqual([release.id, release.commitSha, release.url], [a[0], 'abc1234', 'https://ci.test/1']);
    });

    test('a stale regression from one process loses to a re-resolution committed by the other', async () => {
      const old = await first.ensureRelease(projectId, 'regress@1', Date.now());
      const newer = await first.ensureRelease(projectId, 'regress@2', Date.now());
      const newest = await first.ensureRelease(projectId, 'regress@3', Date.now());
      const [outcome] = await first.write([errorEvent(projectId, 50_000, 'RegressRaceError', 0, {}, 'u', 'regress@1')], []);
      const issueId = outcome!.issueId;
      await first.resolveIssueInRelease(issueId, { kind: 'release', version: 'regress@1' });
      assert.equal((await second.releaseResolvedIssues()).get(issueId), old);
      // The other process re-resolves in the newest release; the first one's hit, computed against
      // the older floor, must not reopen it.
      await second.resolveIssueInRelease(issueId, { kind: 'release', version: 'regress@3' });
      assert.deepEqual(await first.reopenRegressions([{ issueId, releaseId: newer }]), []);
      assert.deepEqual(await second.issueResolution(issueId), { kind: 'release', version: 'regress@3' });
      // Both processes reporting a later release at once: reopened once, by one of them.
      const later = await first.ensureRelease(projectId, 'regress@4', Date.now());
      assert.ok(later > newest);
      const [x, y] = await Promise.all([first.reopenRegressions([{ issueId, releaseId: later }]), second.reopenRegressions([{ issueId, releaseId: later }])]);
      assert.deepEqual([...x, ...y], [issueId]);
      const issue = (await first.getIssue(issueId))!;
      assert.deepEqual([issue.status, issue.isRegressed], ['unresolved', true]);
    });

    test('the same artifact bundle assembled by both processes is stored once; the size bound holds across them', async () => {
      const file = (url: string) => ({ url, type: 'minified_source', debugId: null, sourcemapUrl: null, content: new TextEncoder().encode(url) });
      const bundle = { projectId, checksum: 'e'.repeat(40), release: 'art@1', dist: null, size: 300, files: [file('~/a.js'), file('~/b.js')] };
      const [a, b] = await Promise.all([first.saveBundle(bundle, 1000), second.saveBundle(bundle, 1000)]);
      assert.equal(a.id, b.id);
      assert.equal((await first.listReleaseFiles(projectId, 'art@1')).length, 2, 'its files once');
      // Six more 300-byte bundles from both processes at once: at most 1000 bytes stay.
      const more = Array.from({ length: 6 }, (_, i) => ({ ...bundle, checksum: String(i).repeat(40), files: [file(`~/${i}.js`)] }));
      await Promise.all(more.map((m, i) => (i % 2 ? first : second).saveBundle(m, 1000)));
      const kept = await second.listBundles(projectId, 100);
      assert.ok(kept.reduce((n, k) => n + k.size, 0) <= 1000, `kept ${kept.length} bundles`);
      assert.equal(kept.length, 3);
      // Chunks put by both at once, overlapping, in opposite orders.
      const chunks = Array.from({ length: 20 }, (_, i) => ({ checksum: i.toString(16).padStart(40, 'c'), data: new Uint8Array([i]) }));
      await Promise.all([first.putChunks(chunks), second.putChunks([...chunks].reverse())]);
      assert.deepEqual((await second.readChunks(chunks.map((c) => c.checksum)))!.map((c) => c[0]), chunks.map((_, i) => i));
    });

    test('segments of one replay received by both processes at once: every segment counted, caps hold', async () => {
      const id = 'f'.repeat(32);
      const limits = { maxReplayBytes: 10_000_000, maxSegments: 30 };
      const segments = Array.from({ length: 40 }, (_, i) => replaySegment(projectId, id, i, 20, { tags: { [`k${i}`]: 'v' } }));
      const results = (await Promise.all(segments.map((s, i) => (i % 2 ? first : second).writeReplaySegments([s], limits)))).flat();
      assert.equal(results.filter((r) => r === 'stored').length, 30);
      assert.equal(results.filter((r) => r === 'replay_too_large').length, 10);
      const replay = (await first.getReplay(id, projectId))!;
      assert.equal(replay.segments, 30);
      assert.equal(Object.keys(replay.tags).length, 30, "no segment's metadata is lost");
      assert.equal(replay.urls.length, 30);
      assert.equal((await second.replaySegments(projectId, id)).length, 30);
      // Which 30 were stored depends on how the two processes raced: resend one that was.
      const storedSegment = segments[results.indexOf('stored')]!;
      const again = await Promise.all([first, second].map((store) => store.writeReplaySegments([storedSegment], limits)));
      assert.deepEqual(again.flat(), ['duplicate', 'duplicate']);
    });
  });
}
