/**
 * The issue-workflow part of the store contract (store/issue-workflow-types.ts) on every backend: assignment,
 * the assigned: search, and the activity log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, BASE, errorEvent } from './contract.fixtures.js';
import type { SearchExpr } from '../query/ast.js';
import type { Store } from './types.js';

const assigned = (values: Array<number | string>): SearchExpr => ({ kind: 'predicate', field: { type: 'attribute', name: 'assigned' }, op: 'in', values, position: 0 });

for (const backend of BACKENDS) {
  describe(`issue workflow store contract (assignment, activity) on ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let a: number;
    let b: number;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      cleanup = () => opened.cleanup();
      a = (await store.createProject({ name: 'A' })).id;
      b = (await store.createProject({ name: 'B' })).id;
    });
    after(() => cleanup());

    test('assignment changes only the named issues of the project, reports only real changes, and is searchable', async () => {
      const [x, y] = await store.write([errorEvent(a, 1, 'XError', 0, {}), errorEvent(a, 2, 'YError', 0, {})], []);
      const [other] = await store.write([errorEvent(b, 3, 'ZError', 0, {})], []);
      const ana = await store.createUser({ email: 'ana@example.com', name: 'Ana', role: 'member', passwordHash: null, projectIds: [a] });
      assert.deepEqual(await store.assignIssues(a, [x!.issueId, other!.issueId], ana.id), [x!.issueId], 'another project\'s issue is left alone');
      assert.deepEqual(await store.assignIssues(a, [x!.issueId], ana.id), [], 'assigning again changes nothing');
      assert.deepEqual((await store.getIssue(x!.issueId))?.assignedTo, { id: ana.id, email: 'ana@example.com', name: 'Ana' });
      assert.equal((await store.getIssue(other!.issueId))?.assignedTo, null);
      const list = async (filter: SearchExpr) => (await store.listIssues({ projectId: a, filter, sort: 'date', limit: 10 })).items.map((i) => i.id);
      assert.deepEqual(await list(assigned([ana.id])), [x!.issueId]);
      assert.deepEqual(await list(assigned(['none'])), [y!.issueId]);
      assert.deepEqual((await store.listEvents({ projectId: a, filter: assigned([ana.id]), limit: 10 })).items.map((e) => e.issueId), [x!.issueId]);
      assert.deepEqual(await store.projectIssueIds(a, [y!.issueId, other!.issueId, x!.issueId]), [x!.issueId, y!.issueId].sort((p, q) => p - q));
      await store.deleteUser(ana.id);
      assert.equal((await store.getIssue(x!.issueId))?.assignedTo, null, 'a deleted user leaves the issue unassigned');
    });

    test('activity is listed newest first in pages, per issue', async () => {
      const [x] = await store.write([errorEvent(a, 10, 'ActError', 0, {})], []);
      const issueId = x!.issueId;
      await store.recordActivity([
        { projectId: a, issueId, kind: 'status', actorUserId: null, actor: 'ci-token', data: { status: 'resolved' }, at: 1000 },
        { projectId: a, issueId, kind: 'assigned', actorUserId: 7, actor: 'ana@example.com', data: { assignee: { id: 7 } }, at: 2000 },
        { projectId: a, issueId: issueId + 1000, kind: 'status', actorUserId: null, actor: 'x', data: {} },
      ]);
      const all = await store.listActivity(issueId, 10);
      assert.deepEqual(all.map((e) => [e.kind, e.actor, e.at]), [
        ['assigned', 'ana@example.com', new Date(2000).toISOString()],
        ['status', 'ci-token', new Date(1000).toISOString()],
        ['first_seen', '', new Date(BASE).toISOString()],
      ]);
      assert.deepEqual(all[0]!.data, { assignee: { id: 7 } });
      assert.deepEqual((await store.listActivity(issueId, 10, all[0]!.id)).map((e) => e.kind), ['status', 'first_seen']);
      assert.deepEqual((await store.listActivity(issueId, 1)).map((e) => e.kind), ['assigned']);
    });

    test('the writer records where an issue was first seen, once, and each regression by an event or by a later release', async () => {
      const p = (await store.createProject({ name: 'H' })).id;
      const [first, second] = await store.write([errorEvent(p, 200, 'HError', 5, {}, undefined, 'h@1'), errorEvent(p, 201, 'HError', 6, {}, undefined, 'h@1')], []);
      const issueId = first!.issueId;
      assert.equal(second!.issueId, issueId);
      const kinds = async () => (await store.listActivity(issueId, 20)).map((e) => [e.kind, e.data]);
      assert.deepEqual(await kinds(), [['first_seen', { release: 'h@1' }]]);
      await store.setIssueStatus(issueId, 'resolved');
      await store.write([errorEvent(p, 202, 'HError', 7, {}, undefined, 'h@2')], []);
      assert.equal((await store.getIssue(issueId))?.status, 'unresolved');
      await store.write([errorEvent(p, 203, 'HError', 8, {}, undefined, 'h@2')], []);
      assert.deepEqual(await kinds(), [['regression', { reason: 'event', release: 'h@2' }], ['first_seen', { release: 'h@1' }]], 'one regression, not one per event');
      // Resolved in release h@2: only an event of a later release reopens it (release-tracker).
      await store.ensureRelease(p, 'h@2', BASE + 8);
      const later = await store.ensureRelease(p, 'h@3', BASE + 9);
      await store.resolveIssueInRelease(issueId, { kind: 'release', version: 'h@2' });
      assert.deepEqual(await store.reopenRegressions([{ issueId, releaseId: later }]), [issueId]);
      const [latest] = await store.listActivity(issueId, 1);
      assert.deepEqual([latest!.kind, latest!.data, latest!.actor, latest!.actorUserId], ['regression', { reason: 'release', release: 'h@3' }, '', null]);
    });

    test('comments of a merged issue follow it into the target and go back with unmerge; later ones stay', async () => {
      const p = (await store.createProject({ name: 'C' })).id;
      const [t] = await store.write([errorEvent(p, 300, 'TError', 0, {})], []);
      const [s] = await store.write([errorEvent(p, 301, 'SError', 0, {})], []);
      await store.addIssueComment({ issueId: t!.issueId, userId: null, author: 'ci', text: 'on t' });
      await store.addIssueComment({ issueId: s!.issueId, userId: null, author: 'ci', text: 'on s' });
      const texts = async (id: number) => (await store.listIssueComments(id)).map((c) => c.text);
      assert.deepEqual(await store.mergeIssues(p, t!.issueId, [s!.issueId]), [s!.issueId]);
      assert.deepEqual(await texts(t!.issueId), ['on t', 'on s']);
      assert.deepEqual(await texts(s!.issueId), []);
      await store.addIssueComment({ issueId: t!.issueId, userId: null, author: 'ci', text: 'after' });
      assert.deepEqual(await store.unmergeIssues(p, t!.issueId, [s!.issueId]), [s!.issueId]);
      assert.deepEqual(await texts(t!.issueId), ['on t', 'after']);
      assert.deepEqual(await texts(s!.issueId), ['on s']);
    });

    test('merge moves events and recounts; a merged fingerprint writes into the target; unmerge restores', async () => {
      const p = (await store.createProject({ name: 'M' })).id;
      const [m1] = await store.write([errorEvent(p, 100, 'MError', 0, { tier: 'a' }, 'u1'), errorEvent(p, 101, 'MError', 1, { tier: 'a' }, 'u2')], []);
      const [n1] = await store.write([errorEvent(p, 102, 'NError', 2, { tier: 'b' }, 'u3')], []);
      const target = m1!.issueId;
      const source = n1!.issueId;
      assert.deepEqual(await store.mergeIssues(p, target, [source, target, 999_999]), [source]);
      assert.deepEqual(await store.mergeIssues(p, target, [source]), [], 'a merged issue is not merged again');
      const merged = await store.getIssue(target);
      assert.deepEqual([merged?.count, merged?.userCount], [3, 3]);
      assert.equal((await store.getIssue(source))?.mergedInto, target);
      const [later] = await store.write([errorEvent(p, 103, 'NError', 3, { tier: 'b' }, 'u4')], []);
      assert.equal(later!.issueId, target, 'the merged fingerprint is written into the target');
      const tier = async (id: number) => (await store.issueTagValues(id, 'tier'))?.values.map((v) => [v.value, v.count]);
      assert.deepEqual(await tier(target), [['a', 2], ['b', 2]]);
      assert.deepEqual((await store.issueFingerprints(target)).map((f) => [f.issueId, f.events, f.merged]), [[target, 2, false], [source, 2, true]]);
      assert.deepEqual((await store.listIssues({ projectId: p, filter: null, sort: 'date', limit: 10 })).items.map((i) => i.id), [target]);
      assert.deepEqual(await store.unmergeIssues(p, target, [source]), [source]);
      assert.deepEqual([(await store.getIssue(target))?.count, (await store.getIssue(source))?.count, (await store.getIssue(source))?.mergedInto], [2, 2, null]);
      assert.deepEqual(await tier(source), [['b', 2]]);
      assert.equal((await store.listEvents({ projectId: p, issueId: source, filter: null, limit: 10 })).items.length, 2);
    });
  });
}
