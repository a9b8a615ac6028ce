/**
 * The activity history the server writes itself, and what a merge does with the triage state of
 * the issues it merges, over HTTP against the real server (SQLite, or PostgreSQL with
 * PROLIFERATE_TEST_STORE=postgres): "first seen in release", regressions by an event and by a later
 * release, comments that follow a merged issue and come back on unmerge, the target's assignee
 * kept, and snoozes that follow into an ignored target (docs/triage.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner, inviteAndJoin, type SessionClient } from '../../../tests/helpers/accounts.js';

interface Activity {
  id: number;
  kind: string;
  actor: string;
  actorUserId: number | null;
  data: Record<string, unknown>;
}

describe('the history and triage state of issues through regressions and merges', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let owner: SessionClient;

  async function send(type: string, release?: string) {
    const event = {
      event_id: randomUUID().replace(/-/g, ''),
      release,
      exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] },
    };
    const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n` });
    assert.equal(res.status, 200);
  }
  async function issueId(type: string): Promise<number> {
    let found: number | undefined;
    await waitFor(`an issue for ${type}`, async () => {
      const list = (await server.api(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(`${type}`)}`)).body as Array<{ id: number; title: string }>;
      found = list.find((i) => i.title.startsWith(`${type}:`))?.id;
      return found !== undefined;
    });
    return found!;
  }
  const issue = async (id: number) => (await server.api(`/api/0/issues/${id}/`)).body;
  const activity = async (id: number) => (await server.api(`/api/0/issues/${id}/activity/`)).body as Activity[];
  const comments = async (id: number) => ((await server.api(`/api/0/issues/${id}/comments/`)).body as Array<{ text: string; issueId: number }>).map((c) => c.text);
  /** Polls: release regressions are decided after the event's commit, and the writer may batch. */
  async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000) {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  before(async () => {
    server = await startServer();
    owner = await createOwner(server.url, server.setupUrl!, 'owner@example.com');
    await inviteAndJoin(owner, 'mia@example.com', 'member', [Number(server.projectId)]);
  });
  after(async () => {
    await server?.stop();
  });

  test('a new issue\'s history starts with where it was first seen, in which release, recorded by the server', async () => {
    await send('CheckoutError', 'shop@1.0');
    const id = await issueId('CheckoutError');
    const entries = await activity(id);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.kind, 'first_seen');
    assert.deepEqual(entries[0]!.data, { release: 'shop@1.0' });
    assert.equal(entries[0]!.actor, '', 'no person did it');
    assert.equal(entries[0]!.actorUserId, null);
    // An issue first seen without a release says so.
    await send('NoReleaseError');
    const plain = await activity(await issueId('NoReleaseError'));
    assert.deepEqual(plain.map((e) => [e.kind, e.data.release]), [['first_seen', null]]);
  });

  test('an event after the issue was resolved reopens it and records a regression after the resolve', async () => {
    const id = await issueId('CheckoutError');
    assert.equal((await server.api(`/api/0/issues/${id}/`, { method: 'PUT', body: { status: 'resolved' } })).status, 200);
    await send('CheckoutError', 'shop@1.0');
    await waitFor('the issue reopens', async () => (await issue(id)).status === 'unresolved');
    const entries = await activity(id);
    assert.deepEqual(entries.map((e) => e.kind), ['regression', 'status', 'first_seen']);
    assert.deepEqual(entries[0]!.data, { reason: 'event', release: 'shop@1.0' });
    assert.equal(entries[1]!.data.status, 'resolved');
    // A second event of the reopened issue is no new regression.
    await send('CheckoutError', 'shop@1.0');
    await waitFor('the event is counted', async () => (await issue(id)).count === 3);
    assert.equal((await activity(id)).filter((e) => e.kind === 'regression').length, 1);
  });

  test('resolved in a release, the issue stays resolved for events of that release and regresses on one of a later release', async () => {
    const id = await issueId('CheckoutError');
    const put = await server.api(`/api/0/issues/${id}/`, { method: 'PUT', body: { status: 'resolved', statusDetails: { inRelease: 'shop@1.0' } } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await send('CheckoutError', 'shop@1.0');
    await waitFor('the event of the resolved release is counted', async () => (await issue(id)).count === 4);
    assert.equal((await issue(id)).status, 'resolved');
    await send('CheckoutError', 'shop@2.0');
    await waitFor('the issue reopens by release', async () => (await issue(id)).status === 'unresolved');
    const entries = await activity(id);
    assert.deepEqual(entries.slice(0, 2).map((e) => e.kind), ['regression', 'status']);
    assert.deepEqual(entries[0]!.data, { reason: 'release', release: 'shop@2.0' });
    assert.equal(entries[1]!.data.inRelease, 'shop@1.0');
    assert.equal(entries.filter((e) => e.kind === 'regression').length, 2);
  });

  test('merging keeps the target\'s assignee and status; comments follow the merged issue and come back with unmerge, its snooze stays with it', async () => {
    for (let i = 0; i < 3; i++) await send('PaymentError');
    await send('CardError');
    const target = await issueId('PaymentError');
    const source = await issueId('CardError');
    await waitFor('three payment events', async () => (await issue(target)).count === 3);
    assert.equal((await owner.put(`/api/0/issues/${target}/`, { assignedTo: 'mia@example.com' })).status, 200);
    assert.equal((await owner.put(`/api/0/issues/${source}/`, { assignedTo: 'owner@example.com' })).status, 200);
    assert.equal((await owner.post(`/api/0/issues/${target}/comments/`, { text: 'on the payment issue' })).status, 201);
    assert.equal((await owner.post(`/api/0/issues/${source}/comments/`, { text: 'on the card issue' })).status, 201);
    const snoozed = await server.api(`/api/0/issues/${source}/snooze/`, { method: 'PUT', body: { events: 5 } });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));

    const merged = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${target}&id=${source}`, { method: 'PUT', body: { merge: 1 } });
    assert.deepEqual(merged.body.merge, { parent: target, children: [source] });
    const after = await issue(target);
    assert.equal(after.assignedTo.email, 'mia@example.com', 'the target keeps its assignee');
    assert.equal(after.status, 'unresolved', 'the target keeps its status: an unresolved target takes no snooze');
    assert.equal((await server.api(`/api/0/issues/${target}/snooze/`)).status, 404);
    assert.deepEqual((await comments(target)).sort(), ['on the card issue', 'on the payment issue']);
    assert.deepEqual(await comments(source), []);
    // A comment written on the merged issue afterwards stays there after an unmerge.
    assert.equal((await owner.post(`/api/0/issues/${target}/comments/`, { text: 'after the merge' })).status, 201);

    const hashes = (await server.api(`/api/0/issues/${target}/hashes/`)).body as Array<{ id: string; merged: boolean }>;
    const unmerged = await server.api(`/api/0/issues/${target}/hashes/?id=${hashes.find((h) => h.merged)!.id}`, { method: 'DELETE' });
    assert.deepEqual(unmerged.body, { unmerged: [source] });
    assert.deepEqual(await comments(source), ['on the card issue']);
    assert.deepEqual((await comments(target)).sort(), ['after the merge', 'on the payment issue']);
    const back = await issue(source);
    assert.equal(back.status, 'ignored', 'the unmerged issue is still snoozed');
    assert.equal(back.assignedTo.email, 'owner@example.com');
    const snooze = (await server.api(`/api/0/issues/${source}/snooze/`)).body;
    assert.equal(snooze.remainingEvents, 5);
  });

  test('merged into an ignored issue, a snooze follows with what was left of it, and the merged issue wakes on it', async () => {
    for (let i = 0; i < 3; i++) await send('SearchError');
    await send('IndexError');
    const target = await issueId('SearchError');
    const source = await issueId('IndexError');
    await waitFor('three search events', async () => (await issue(target)).count === 3);
    assert.equal((await server.api(`/api/0/issues/${target}/`, { method: 'PUT', body: { status: 'ignored' } })).status, 200);
    assert.equal((await server.api(`/api/0/issues/${source}/snooze/`, { method: 'PUT', body: { events: 3 } })).status, 200);
    await send('IndexError');
    await waitFor('the snoozed issue counts the event', async () => (await issue(source)).count === 2);
    assert.equal((await issue(source)).status, 'ignored', 'two more events are still to come');

    const merged = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${target}&id=${source}`, { method: 'PUT', body: { merge: 1 } });
    assert.deepEqual(merged.body.merge, { parent: target, children: [source] });
    assert.equal((await issue(target)).count, 5);
    const carried = (await server.api(`/api/0/issues/${target}/snooze/`)).body;
    assert.equal(carried.remainingEvents, 2, 'what was left of the snooze, now of the merged issue');
    assert.equal((await issue(target)).status, 'ignored');
    await send('SearchError');
    await waitFor('the merged issue counts the event', async () => (await issue(target)).count === 6);
    assert.equal((await issue(target)).status, 'ignored');
    await send('IndexError');
    await waitFor('the merged issue wakes', async () => (await issue(target)).status === 'unresolved');
  });
});
