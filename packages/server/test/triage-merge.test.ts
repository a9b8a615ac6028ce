/**
 * Merge and unmerge over HTTP against the real server (SQLite, or PostgreSQL with
 * PROLIFERATE_TEST_STORE=postgres), in Sentry's API shape: events, counts, tags and users move;
 * later events of either fingerprint land in the merged issue; unmerge by fingerprint gives them
 * back, counted again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

describe('merging issues', { timeout: 120_000 }, () => {
  let server: RunningServer;
  const ids: Record<string, number> = {};

  async function send(type: string, tier: string, user: string) {
    const event = {
      event_id: randomUUID().replace(/-/g, ''),
      exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] },
      tags: { tier },
      user: { id: user },
    };
    const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n` });
    assert.equal(res.status, 200);
  }
  const issue = async (id: number) => (await server.api(`/api/0/issues/${id}/`)).body;
  const tierCounts = async (id: number) => {
    const tags = (await server.api(`/api/0/issues/${id}/tags/`)).body as Array<{ key: string; topValues: Array<{ value: string; count: number }> }>;
    return Object.fromEntries((tags.find((t) => t.key === 'tier')?.topValues ?? []).map((v) => [v.value, v.count]));
  };
  const eventCount = async (id: number) => (await server.api(`/api/0/issues/${id}/events/?limit=100`)).body.length;
  const listed = async () => ((await server.api(`/api/0/projects/${server.projectId}/issues/`)).body as Array<{ id: number; title: string; count: number }>).map((i) => [i.title.split(':')[0], i.count]).sort();

  before(async () => {
    server = await startServer();
    for (let i = 0; i < 5; i++) await send('CheckoutError', 'enterprise', `u${i % 2}`);
    for (let i = 0; i < 3; i++) await send('PaymentError', 'free', `u${i + 5}`);
    await send('OtherError', 'free', 'u9');
    const list = await server.api(`/api/0/projects/${server.projectId}/issues/`);
    for (const i of list.body) ids[i.title.split(':')[0]] = i.id;
  });
  after(async () => {
    await server?.stop();
  });

  test('merging moves events, counts, tags and users into the issue with the most events, and hides the other', async () => {
    const merged = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${ids.PaymentError}&id=${ids.CheckoutError}`, { method: 'PUT', body: { merge: 1 } });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body.merge, { parent: ids.CheckoutError, children: [ids.PaymentError] });
    const parent = await issue(ids.CheckoutError!);
    assert.equal(parent.count, 8);
    assert.equal(parent.userCount, 5, 'u0, u1 and u5-u7');
    assert.equal(await eventCount(ids.CheckoutError!), 8);
    assert.deepEqual(await tierCounts(ids.CheckoutError!), { enterprise: 5, free: 3 });
    assert.deepEqual(await listed(), [['CheckoutError', 8], ['OtherError', 1]], 'the merged-away issue is not listed');
    assert.equal((await issue(ids.PaymentError!)).mergedInto, ids.CheckoutError);
    const hashes = (await server.api(`/api/0/issues/${ids.CheckoutError}/hashes/`)).body as Array<{ id: string; events: number; merged: boolean; issueId: number }>;
    assert.deepEqual(hashes.map((h) => [h.issueId, h.events, h.merged]), [[ids.CheckoutError, 5, false], [ids.PaymentError, 3, true]]);
    const activity = (await server.api(`/api/0/issues/${ids.CheckoutError}/activity/`)).body;
    assert.equal(activity[0].kind, 'merged');
    assert.deepEqual(activity[0].data.issueIds, [ids.PaymentError]);
  });

  test('later events of either fingerprint land in the merged issue', async () => {
    await send('PaymentError', 'free', 'u8');
    await send('CheckoutError', 'enterprise', 'u0');
    const parent = await issue(ids.CheckoutError!);
    assert.equal(parent.count, 10);
    assert.equal(parent.userCount, 6);
    assert.deepEqual(await tierCounts(ids.CheckoutError!), { enterprise: 6, free: 4 });
    assert.deepEqual(await listed(), [['CheckoutError', 10], ['OtherError', 1]]);
  });

  test('unmerge by fingerprint gives the issue back its events, counted, including the ones that came after the merge', async () => {
    const hashes = (await server.api(`/api/0/issues/${ids.CheckoutError}/hashes/`)).body as Array<{ id: string; merged: boolean }>;
    const paymentHash = hashes.find((h) => h.merged)!.id;
    const ownRefused = await server.api(`/api/0/issues/${ids.CheckoutError}/hashes/?id=${hashes.find((h) => !h.merged)!.id}`, { method: 'DELETE' });
    assert.equal(ownRefused.status, 400);
    assert.equal(ownRefused.body.error.code, 'own_fingerprint');
    const unknown = await server.api(`/api/0/issues/${ids.CheckoutError}/hashes/?id=nope`, { method: 'DELETE' });
    assert.equal(unknown.status, 400);
    const answer = await server.api(`/api/0/issues/${ids.CheckoutError}/hashes/?id=${paymentHash}`, { method: 'DELETE' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.unmerged, [ids.PaymentError]);
    const [checkout, payment] = [await issue(ids.CheckoutError!), await issue(ids.PaymentError!)];
    assert.deepEqual([checkout.count, checkout.userCount, payment.count, payment.userCount, payment.mergedInto], [6, 2, 4, 4, null]);
    assert.deepEqual(await tierCounts(ids.CheckoutError!), { enterprise: 6 });
    assert.deepEqual(await tierCounts(ids.PaymentError!), { free: 4 });
    assert.equal(await eventCount(ids.PaymentError!), 4);
    assert.deepEqual(await listed(), [['CheckoutError', 6], ['OtherError', 1], ['PaymentError', 4]]);
    await send('PaymentError', 'free', 'u8');
    assert.equal((await issue(ids.PaymentError!)).count, 5, 'after unmerge, the fingerprint groups into its own issue again');
  });

  test('a merge needs two issues of the project, alone in the body', async () => {
    const one = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${ids.OtherError}&id=999999`, { method: 'PUT', body: { merge: 1 } });
    assert.equal(one.status, 400);
    assert.equal(one.body.error.code, 'merge_needs_two');
    const mixed = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${ids.OtherError}&id=${ids.PaymentError}`, { method: 'PUT', body: { merge: 1, status: 'resolved' } });
    assert.equal(mixed.status, 400);
    const other = (await server.api('/api/0/projects/', { body: { name: 'Elsewhere' } })).body.id;
    const foreign = await server.api(`/api/0/projects/${other}/issues/?id=${ids.OtherError}&id=${ids.PaymentError}`, { method: 'PUT', body: { merge: 1 } });
    assert.equal(foreign.status, 400, "another project's issues are not merged through it");
  });

  test('deleting an issue deletes the issues merged into it, so the next event of their fingerprints makes a new issue', async () => {
    const merged = await server.api(`/api/0/projects/${server.projectId}/issues/?id=${ids.OtherError}&id=${ids.PaymentError}`, { method: 'PUT', body: { merge: 1 } });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body.merge, { parent: ids.PaymentError, children: [ids.OtherError] });
    const deleted = await server.api(`/api/0/issues/${ids.PaymentError}/`, { method: 'DELETE' });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal((await server.api(`/api/0/issues/${ids.OtherError}/`)).status, 404, 'the merged-away issue went with it');
    await send('OtherError', 'free', 'u9');
    const list = (await server.api(`/api/0/projects/${server.projectId}/issues/`)).body as Array<{ id: number; title: string; count: number }>;
    const fresh = list.find((i) => i.title.startsWith('OtherError'));
    assert.ok(fresh, 'the next OtherError event is listed');
    assert.notEqual(fresh.id, ids.OtherError);
    assert.equal(fresh.count, 1);
    assert.equal((await issue(fresh.id)).mergedInto, null);
  });
});
