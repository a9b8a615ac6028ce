/**
 * The lifecycle contract (lifecycle-types.ts) on every backend: retention purges, deleting an issue
 * or an event, GDPR erasure, retention settings and storage measurement.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearch } from '../query/issue-search.js';
import { BACKENDS, BASE, errorEvent, HOUR, type OpenedStore } from './contract.fixtures.js';
import type { DeletionBatch } from './lifecycle-types.js';
import type { Store } from './types.js';

async function untilDone(batch: () => Promise<DeletionBatch | undefined>): Promise<{ events: number; batches: number }> {
  let events = 0;
  let batches = 0;
  for (;;) {
    const result = await batch();
    batches++;
    events += result?.events ?? 0;
    if (!result?.more) return { events, batches };
  }
}

for (const backend of BACKENDS) {
  describe(`lifecycle contract on ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    after(() => opened.cleanup());

    const allEvents = async (projectId: number, query = '') =>
      (await store.listEvents({ projectId, filter: query ? parseSearch(query) : null, limit: 500 })).items;

    test('a retention purge in small batches removes old events, their issue and rollups, and keeps lifetime counts of the issue that lives on', async () => {
      const projectId = (await store.createProject({ name: 'Retention' })).id;
      const old = Array.from({ length: 30 }, (_, i) => errorEvent(projectId, i + 1, 'OldError', (i % 3) * HOUR, { tier: 'free' }, `u${i % 4}`));
      const mixed = Array.from({ length: 20 }, (_, i) => errorEvent(projectId, 100 + i, 'LiveError', (i < 10 ? 1 : 20) * HOUR, { tier: 'pro' }, 'u9'));
      await store.write([...old, ...mixed], []);
      const live = (await store.listIssues({ projectId, filter: parseSearch('LiveError'), sort: 'date', limit: 5 })).items[0]!;
      const oldIssue = (await store.listIssues({ projectId, filter: parseSearch('OldError'), sort: 'date', limit: 5 })).items[0]!;

      const purged = await untilDone(() => store.purgeOlderThan(projectId, BASE + 10 * HOUR, 7));
      assert.equal(purged.events, 40);
      assert.ok(purged.batches >= 6, `batches of at most 7 events: ${purged.batches}`);
      const left = await allEvents(projectId);
      assert.equal(left.length, 10);
      assert.ok(left.every((e) => e.issueId === live.id));
      assert.equal(await store.getIssue(oldIssue.id), undefined, 'an issue whose every event aged out goes');
      assert.equal((await store.getIssue(live.id))?.count, 20, 'issue counts are lifetime counts');
      const stats = await store.eventStats(projectId, null, { from: BASE, to: BASE + 24 * HOUR, interval: 'hour' });
      assert.equal(stats.slice(0, 10).reduce((a, b) => a + b, 0), 0, 'hourly rollups before the cutoff are gone');
      assert.equal(stats[20], 10);
      assert.equal((await allEvents(projectId, 'tier:free')).length, 0);

      // Ingest goes on normally after a purge, into the surviving issue.
      const [outcome] = await store.write([errorEvent(projectId, 999, 'LiveError', 21 * HOUR, { tier: 'pro' })], []);
      assert.equal(outcome?.issueId, live.id);
      assert.equal((await store.getIssue(live.id))?.count, 21);
      assert.deepEqual(await untilDone(() => store.purgeOlderThan(projectId, BASE + 10 * HOUR, 7)), { events: 0, batches: 1 });
      // The users of a tag value whose every event aged out leave the distinct-user rollup with
      // them: the value seen again counts only its new users (not u0-u3 of the purged events).
      await store.write([errorEvent(projectId, 1000, 'LiveError', 22 * HOUR, { tier: 'free' }, 'u9')], []);
      const free = (await store.tagBreakdown({ projectId, filter: null, window: null }, 'tier', 5)).find((v) => v.value === 'free');
      assert.deepEqual([free?.events, free?.users], [1, 1], 'no user rows of purged events are left for the value');
    });

    test('deleting one event takes it out of its issue count, tag counts and lists; deleting it again finds nothing', async () => {
      const projectId = (await store.createProject({ name: 'Delete event' })).id;
      await store.write(Array.from({ length: 5 }, (_, i) => errorEvent(projectId, 200 + i, 'OneError', i * 60_000, { tier: i === 0 ? 'gold' : 'free' })), []);
      const issue = (await store.listIssues({ projectId, filter: null, sort: 'date', limit: 5 })).items[0]!;
      const id = (200).toString(16).padStart(32, '0');
      assert.equal(await store.deleteEvent(projectId, id), true);
      assert.equal(await store.getEvent(projectId, id), undefined);
      assert.equal(await store.deleteEvent(projectId, id), false);
      assert.equal((await store.getIssue(issue.id))?.count, 4);
      const tier = (await store.issueTagDistribution(issue.id, 10)).find((t) => t.key === 'tier')!;
      assert.deepEqual(tier.values.map((v) => [v.value, v.count]), [['free', 4]]);
      assert.equal((await allEvents(projectId)).length, 4);
      const stats = await store.issueStats([issue.id], { from: BASE, to: BASE + HOUR, interval: 'hour' });
      assert.deepEqual(stats.get(issue.id), [4]);
      // Another project's key cannot reach it: the id is looked up in the project given.
      const other = (await store.createProject({ name: 'Other' })).id;
      assert.equal(await store.deleteEvent(other, (201).toString(16).padStart(32, '0')), false);
      assert.equal((await allEvents(projectId)).length, 4);
      // A new event after the newest one was deleted gets a fresh row and is listed and counted.
      const newest = (204).toString(16).padStart(32, '0');
      assert.equal(await store.deleteEvent(projectId, newest), true);
      await store.write([errorEvent(projectId, 300, 'OneError', 10 * 60_000, { tier: 'free' })], []);
      assert.equal((await allEvents(projectId)).length, 4);
      assert.equal((await store.getIssue(issue.id))?.count, 4);
    });

    test('deleting an issue removes all its events in batches and leaves other issues alone', async () => {
      const projectId = (await store.createProject({ name: 'Delete issue' })).id;
      await store.write(
        [
          ...Array.from({ length: 25 }, (_, i) => errorEvent(projectId, 400 + i, 'DoomedError', i * 1000, { tier: 'free', shard: 'doomed' }, `d${i % 5}`)),
          ...Array.from({ length: 3 }, (_, i) => errorEvent(projectId, 500 + i, 'KeptError', i * 1000, { tier: 'free' })),
        ],
        [],
      );
      const [doomed] = (await store.listIssues({ projectId, filter: parseSearch('DoomedError'), sort: 'date', limit: 5 })).items;
      const done = await untilDone(() => store.deleteIssueBatch(projectId, doomed!.id, 10));
      assert.deepEqual(done, { events: 25, batches: 3 });
      assert.equal(await store.getIssue(doomed!.id), undefined);
      assert.equal(await store.deleteIssueBatch(projectId, doomed!.id, 10), undefined);
      const left = await allEvents(projectId);
      assert.equal(left.length, 3);
      const kept = (await store.listIssues({ projectId, filter: null, sort: 'date', limit: 5 })).items;
      assert.deepEqual(kept.map((i) => [i.title, i.count]), [['KeptError: x', 3]]);
      assert.deepEqual(await store.eventStats(projectId, null, { from: BASE, to: BASE + HOUR, interval: 'hour' }), [3]);
      // The deleted events' users leave the rollup of the value only they carried.
      await store.write([errorEvent(projectId, 600, 'KeptError', 5000, { shard: 'doomed' }, 'z')], []);
      const shard = await store.tagBreakdown({ projectId, filter: null, window: null }, 'shard', 5);
      assert.deepEqual(shard.map((v) => [v.value, v.events, v.users]), [['doomed', 1, 1]]);
    });

    test('erasing a user removes their events and identity, keeps everyone else, and their next event is stored and found again', async () => {
      const projectId = (await store.createProject({ name: 'Erasure' })).id;
      await store.write(Array.from({ length: 12 }, (_, i) => errorEvent(projectId, 600 + i, 'PrivacyError', i * 1000, { tier: 'free' }, i % 3 === 0 ? 'alice' : 'bob')), []);
      assert.equal((await allEvents(projectId, 'user.id:alice')).length, 4);
      const erased = await untilDone(() => store.eraseUserBatch(projectId, { field: 'id', value: 'alice' }, 3));
      assert.equal(erased.events, 4);
      assert.equal((await allEvents(projectId, 'user.id:alice')).length, 0);
      assert.equal((await allEvents(projectId)).length, 8);
      assert.deepEqual((await store.projectTagValues(projectId, 'user.id', '', 10)).map((v) => v.value), ['bob']);
      const tier = await store.tagBreakdown({ projectId, filter: null, window: null }, 'tier', 5);
      assert.equal(tier[0]?.users, 1, 'the erased person leaves the distinct-user rollup too');
      const issue = (await store.listIssues({ projectId, filter: null, sort: 'date', limit: 5 })).items[0]!;
      assert.equal(issue.count, 8);
      await store.write([errorEvent(projectId, 700, 'PrivacyError', 20_000, { tier: 'free' }, 'alice')], []);
      assert.equal((await allEvents(projectId, 'user.id:alice')).length, 1, "the writer does not reuse the erased value's id");
      const back = await store.tagBreakdown({ projectId, filter: null, window: null }, 'tier', 5);
      assert.equal(back[0]?.users, 2, 'a person who comes back after an erasure is counted again');
    });

    test('retention settings round-trip per project; storage and the oldest data time are measured', async () => {
      const projectId = (await store.createProject({ name: 'Settings' })).id;
      assert.deepEqual(await store.getProjectRetention(projectId), { retentionDays: null, storageBudgetBytes: null });
      await store.setProjectRetention(projectId, { retentionDays: 30, storageBudgetBytes: 5_000_000 });
      assert.deepEqual(await store.getProjectRetention(projectId), { retentionDays: 30, storageBudgetBytes: 5_000_000 });
      assert.equal(await store.oldestDataTime(projectId), null);
      assert.equal(await store.projectStorageBytes(projectId), 0);
      await store.write(Array.from({ length: 10 }, (_, i) => errorEvent(projectId, 800 + i, 'SizeError', (i + 1) * HOUR, {})), []);
      assert.equal(await store.oldestDataTime(projectId), BASE + HOUR);
      const bytes = await store.projectStorageBytes(projectId);
      assert.ok(bytes > 10 * 50 && bytes < 10 * 5000, `about the payload bytes of 10 events: ${bytes}`);
      await store.reclaimSpace();
    });
  });
}
