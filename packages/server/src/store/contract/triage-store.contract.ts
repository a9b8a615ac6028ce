/**
 * The TriageStore contract (comments, snoozes, saved searches, filtered counts), written against
 * the Store interface only: store/contract-triage.test.ts runs it on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseSearch } from '../../query/issue-search.js';
import { digestEvent } from '../../digest/digest.js';
import type { Store } from '../types.js';

const BASE = Date.UTC(2026, 10, 20, 10, 0, 0);

/** An error event of issue `type` (one frame) with tags and a user. */
function errorEvent(projectId: number, id: number, type: string, offsetMs: number, tags: Record<string, string>, user?: string) {
  return digestEvent(
    {
      event_id: (0x7000 + id).toString(16).padStart(32, '0'),
      timestamp: (BASE + offsetMs) / 1000,
      user: user ? { id: user } : undefined,
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags,
    },
    projectId,
    { receivedMs: BASE + offsetMs },
  );
}

export function triageStoreContract(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>): void {
  describe(`TriageStore contract (${name})`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let projectId: number;
    let otherProjectId: number;
    let n = 0;
    const send = async (type: string, tags: Record<string, string>, user?: string) => {
      const [outcome] = await store.write([errorEvent(projectId, ++n, type, n * 1000, tags, user)], []);
      return outcome!.issueId;
    };

    before(async () => {
      ({ store, close } = await open());
      projectId = (await store.createProject({ name: 'Triage' })).id;
      otherProjectId = (await store.createProject({ name: 'Other' })).id;
    });
    after(() => close());

    test('comments are kept per issue in order, edited and deleted', async () => {
      const issueId = await send('CommentError', {});
      const first = await store.addIssueComment({ issueId, userId: null, author: 'ci', text: 'looking into it' });
      const second = await store.addIssueComment({ issueId, userId: null, author: 'ci', text: 'fixed in #12' });
      assert.deepEqual((await store.listIssueComments(issueId)).map((c) => c.text), ['looking into it', 'fixed in #12']);
      const edited = await store.updateIssueComment(issueId, first.id, 'looking into it (2)');
      assert.equal(edited?.text, 'looking into it (2)');
      assert.ok(edited?.updatedAt);
      assert.equal(await store.updateIssueComment(issueId + 1000, first.id, 'x'), undefined);
      assert.equal(await store.deleteIssueComment(issueId, second.id), true);
      assert.equal(await store.deleteIssueComment(issueId, second.id), false);
      assert.deepEqual((await store.listIssueComments(issueId)).map((c) => c.id), [first.id]);
    });

    test('a snooze by count wakes the issue once that many more events arrived, not before', async () => {
      const issueId = await send('CountSnooze', {});
      await send('CountSnooze', {});
      const snooze = await store.snoozeIssue(issueId, { events: 3 }, 'ci');
      assert.equal(snooze.baseCount, 2);
      assert.equal((await store.getIssue(issueId))?.status, 'ignored');
      await send('CountSnooze', {});
      await send('CountSnooze', {});
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, Date.now()), []);
      assert.equal((await store.getIssue(issueId))?.status, 'ignored');
      await send('CountSnooze', {});
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, Date.now()), [issueId]);
      assert.equal((await store.getIssue(issueId))?.status, 'unresolved');
      assert.equal(await store.getIssueSnooze(issueId), undefined);
    });

    test('a snooze by time wakes at its time; by users when that many more users are affected', async () => {
      const timed = await send('TimeSnooze', {});
      await store.snoozeIssue(timed, { untilMs: BASE + 60_000 }, 'ci');
      assert.deepEqual(await store.wakeSnoozedIssues(null, BASE + 59_999), []);
      assert.deepEqual(await store.wakeSnoozedIssues(otherProjectId, BASE + 60_000), []);
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, BASE + 60_000), [timed]);
      const byUsers = await send('UserSnooze', {}, 'u1');
      await store.snoozeIssue(byUsers, { users: 2 }, 'ci');
      await send('UserSnooze', {}, 'u1');
      await send('UserSnooze', {}, 'u2');
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, 0), []);
      await send('UserSnooze', {}, 'u3');
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, 0), [byUsers]);
    });

    test('a snooze of an issue set to another status by hand is forgotten', async () => {
      const issueId = await send('HandSnooze', {});
      await store.snoozeIssue(issueId, { events: 1 }, 'ci');
      await store.setIssueStatus(issueId, 'resolved');
      assert.deepEqual(await store.wakeSnoozedIssues(projectId, Date.now()), []);
      assert.equal(await store.getIssueSnooze(issueId), undefined);
      assert.equal((await store.getIssue(issueId))?.status, 'resolved');
    });

    test('saved searches: shared ones for everyone, private ones for their owner, in tab order', async () => {
      const shared = await store.createSavedSearch({ projectId, name: 'Enterprise', query: 'tier:enterprise', sort: 'freq', visibility: 'shared', userId: null, createdBy: 'ci', pinned: true });
      const ann = await store.createUser({ email: `ann-${name}@example.com`, name: 'Ann', role: 'member', passwordHash: null });
      const bob = await store.createUser({ email: `bob-${name}@example.com`, name: 'Bob', role: 'member', passwordHash: null });
      const mine = await store.createSavedSearch({ projectId, name: 'Mine', query: 'is:unresolved', sort: null, visibility: 'private', userId: ann.id, createdBy: 'Ann', pinned: true });
      assert.ok(mine.position > shared.position);
      assert.deepEqual((await store.listSavedSearches(projectId, ann.id)).map((s) => s.name), ['Enterprise', 'Mine']);
      assert.deepEqual((await store.listSavedSearches(projectId, bob.id)).map((s) => s.name), ['Enterprise']);
      assert.deepEqual((await store.listSavedSearches(otherProjectId, ann.id)).map((s) => s.name), []);
      const moved = await store.updateSavedSearch(projectId, mine.id, { position: 0, name: 'First', pinned: false });
      assert.deepEqual([moved?.name, moved?.pinned], ['First', false]);
      assert.deepEqual((await store.listSavedSearches(projectId, ann.id)).map((s) => s.name), ['First', 'Enterprise']);
      assert.equal(await store.getSavedSearch(otherProjectId, shared.id), undefined);
      assert.equal(await store.deleteSavedSearch(otherProjectId, shared.id), false);
      assert.equal(await store.deleteSavedSearch(projectId, shared.id), true);
    });

    test('filtered counts are the events of each issue that match, 0 when none do', async () => {
      const a = await send('FilterA', { tier: 'enterprise' });
      await send('FilterA', { tier: 'free' });
      await send('FilterA', { tier: 'enterprise' });
      const b = await send('FilterB', { tier: 'free' });
      const counts = await store.filteredIssueCounts(projectId, parseSearch('tier:enterprise'), [a, b]);
      assert.deepEqual([counts.get(a), counts.get(b)], [2, 0]);
      const all = await store.filteredIssueCounts(projectId, null, [a, b]);
      assert.deepEqual([all.get(a), all.get(b)], [3, 1]);
    });
  });
}
