/**
 * Assignment and activity over HTTP against the real server (SQLite, or PostgreSQL with
 * PROLIFERATE_TEST_STORE=postgres): assign by e-mail, user:ID and "me", the assigned: and
 * is:unassigned searches, refusals, bulk assignment, and the activity history of an issue.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner, inviteAndJoin, type SessionClient } from '../../../tests/helpers/accounts.js';

describe('assigning issues', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let owner: SessionClient;
  let member: SessionClient;
  let outsider: SessionClient;
  const ids: Record<string, number> = {};

  async function send(type: string) {
    const event = { event_id: randomUUID().replace(/-/g, ''), exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] } };
    const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n` });
    assert.equal(res.status, 200);
  }
  const search = async (client: SessionClient, query: string) => {
    const answer = await client.get(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(query)}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return (answer.body as Array<{ title: string }>).map((i) => i.title.split(':')[0]).sort();
  };

  before(async () => {
    server = await startServer();
    for (const type of ['CheckoutError', 'SearchError', 'ReportError']) await send(type);
    const list = await server.api(`/api/0/projects/${server.projectId}/issues/`);
    for (const issue of list.body) ids[issue.title.split(':')[0]] = issue.id;
    owner = await createOwner(server.url, server.setupUrl!, 'owner@example.com');
    member = await inviteAndJoin(owner, 'mia@example.com', 'member', [Number(server.projectId)]);
    const other = (await server.api('/api/0/projects/', { body: { name: 'Other' } })).body.id;
    outsider = await inviteAndJoin(owner, 'otto@example.com', 'member', [other]);
  });
  after(async () => {
    await server?.stop();
  });

  test('an issue is assigned by e-mail, shows the assignee, and is found by assigned: and not by is:unassigned', async () => {
    const put = await owner.put(`/api/0/issues/${ids.CheckoutError}/`, { assignedTo: 'MIA@example.com' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.assignedTo.email, 'mia@example.com');
    assert.equal(put.body.status, 'unresolved', 'assigning alone leaves the status');
    assert.deepEqual(await search(owner, 'assigned:mia@example.com'), ['CheckoutError']);
    assert.deepEqual(await search(owner, 'is:unassigned'), ['ReportError', 'SearchError']);
    assert.deepEqual(await search(owner, 'is:assigned'), ['CheckoutError']);
    assert.deepEqual(await search(owner, '!is:unassigned'), ['CheckoutError']);
    assert.deepEqual(await search(owner, 'assigned:nobody@example.com'), [], 'an unknown user matches nothing');
  });

  test('"assigned to me" is the asking user: the member sees theirs, the owner none', async () => {
    assert.deepEqual(await search(member, 'assigned:me'), ['CheckoutError']);
    assert.deepEqual(await search(owner, 'assigned:me'), []);
    assert.deepEqual(await search(owner, 'assigned:[me, none]'), ['ReportError', 'SearchError']);
    const tokenAsMe = await server.api(`/api/0/projects/${server.projectId}/issues/?query=assigned:me`);
    assert.equal(tokenAsMe.status, 400, 'the admin token is nobody');
    assert.equal(tokenAsMe.body.error.code, 'no_user');
  });

  test('assigning to a user who cannot see the project, or to no such user, is refused and changes nothing', async () => {
    const outside = await owner.put(`/api/0/issues/${ids.SearchError}/`, { assignedTo: 'otto@example.com', status: 'resolved' });
    assert.equal(outside.status, 400);
    assert.equal(outside.body.error.code, 'assignee_not_member');
    const unknown = await owner.put(`/api/0/issues/${ids.SearchError}/`, { assignedTo: 'ghost@example.com' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'unknown_assignee');
    const garbage = await owner.put(`/api/0/issues/${ids.SearchError}/`, { assignedTo: 'not an e-mail' });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.error.code, 'invalid_assignee');
    const after = await owner.get(`/api/0/issues/${ids.SearchError}/`);
    assert.equal(after.body.status, 'unresolved');
    assert.equal(after.body.assignedTo, null);
  });

  test('bulk assignment with user:ID takes only this project\'s issues, then unassigning by null', async () => {
    const me = await member.get('/api/0/auth/me/');
    const bulk = await owner.put(`/api/0/projects/${server.projectId}/issues/?id=${ids.SearchError}&id=${ids.ReportError}&id=999999`, { assignedTo: `user:${me.body.user.id}` });
    assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
    assert.equal(bulk.body.updated, 2);
    assert.equal(bulk.body.assignedTo.id, me.body.user.id);
    assert.deepEqual(await search(member, 'assigned:me'), ['CheckoutError', 'ReportError', 'SearchError']);
    const clear = await member.put(`/api/0/projects/${server.projectId}/issues/?id=${ids.ReportError}`, { assignedTo: null });
    assert.equal(clear.body.updated, 1);
    assert.deepEqual(await search(owner, 'is:unassigned'), ['ReportError']);
    const empty = await owner.put(`/api/0/projects/${server.projectId}/issues/?id=${ids.ReportError}`, {});
    assert.equal(empty.status, 400);
  });

  test('the activity lists assignment and status changes newest first, with who did them', async () => {
    assert.equal((await member.put(`/api/0/issues/${ids.CheckoutError}/`, { status: 'resolved' })).status, 200);
    assert.equal((await owner.put(`/api/0/issues/${ids.CheckoutError}/`, { assignedTo: '' })).status, 200);
    const activity = await member.get(`/api/0/issues/${ids.CheckoutError}/activity/`);
    assert.equal(activity.status, 200);
    const entries = activity.body as Array<{ kind: string; actor: string; data: any }>;
    assert.deepEqual(entries.map((e) => e.kind), ['unassigned', 'status', 'assigned', 'first_seen']);
    assert.deepEqual(entries.map((e) => e.actor), ['owner@example.com', 'mia@example.com', 'owner@example.com', ''], 'the server wrote the first line itself');
    assert.equal(entries[1]!.data.status, 'resolved');
    assert.equal(entries[2]!.data.assignee.email, 'mia@example.com');
    const page = await member.get(`/api/0/issues/${ids.CheckoutError}/activity/?limit=1&before=${(entries[0] as any).id}`);
    assert.deepEqual(page.body.map((e: { kind: string }) => e.kind), ['status']);
    assert.equal((await outsider.get(`/api/0/issues/${ids.CheckoutError}/activity/`)).status, 404, "another project's member sees nothing");
  });
});
