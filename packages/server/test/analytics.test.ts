import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

/**
 * A crafted data set with known answers:
 *   CheckoutError, 40 events: flag_new_checkout true x30 / false x10, tier enterprise x20 / free x20,
 *     experiment_variant variant_b x25 / control x15, users u0..u3.
 *   SearchError, 60 events: flag true x12 / false x48, tier enterprise x30 / free x30,
 *     variant_b x30 / control x30, users u0..u5.
 */
let server: RunningServer;
const HOUR = 3_600_000;
const start = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;

async function send(type: string, i: number, tags: Record<string, string>, user: string) {
  const event = {
    event_id: randomUUID().replace(/-/g, ''),
    timestamp: (start + (i % 5) * HOUR + 60_000) / 1000,
    exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.py` }] } }] },
    tags,
    user: { id: user },
  };
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
  });
  assert.equal(res.status, 200);
}

before(async () => {
  server = await startServer();
  const sends: Array<Promise<void>> = [];
  for (let i = 0; i < 40; i++) {
    sends.push(send('CheckoutError', i, { flag_new_checkout: String(i < 30), tier: i % 2 ? 'enterprise' : 'free', experiment_variant: i < 25 ? 'variant_b' : 'control' }, `u${i % 4}`));
  }
  for (let i = 0; i < 60; i++) {
    sends.push(send('SearchError', i, { flag_new_checkout: String(i < 12), tier: i % 2 ? 'enterprise' : 'free', experiment_variant: i < 30 ? 'variant_b' : 'control' }, `u${i % 6}`));
  }
  await Promise.all(sends);
});
after(async () => {
  await server.stop();
});

const p = () => `/api/0/projects/${server.projectId}`;
async function issueId(type: string): Promise<number> {
  const list = await server.api(`${p()}/issues/?query=error.type:${type}`);
  assert.equal(list.body.length, 1);
  return list.body[0].id;
}

test('seed 000 "Show errors where flag_new_checkout = true" as an issue and an event search', async () => {
  const issues = await server.api(`${p()}/issues/?query=${encodeURIComponent('flag_new_checkout:true is:unresolved')}`);
  assert.equal(issues.body.length, 2);
  const events = await server.api(`${p()}/events/?limit=100&query=${encodeURIComponent('flag_new_checkout:true error.type:SearchError')}`);
  assert.equal(events.body.length, 12);
  const either = await server.api(`${p()}/issues/?query=${encodeURIComponent('(times_seen:>50 OR user_count:<5) tier:enterprise')}`);
  assert.equal(either.body.length, 2);
  const onlyBig = await server.api(`${p()}/issues/?query=${encodeURIComponent('times_seen:>50 (flag_new_checkout:true OR tier:nope)')}`);
  assert.deepEqual(onlyBig.body.map((i: { title: string }) => i.title), ['SearchError: failed']);
});

test('project-wide distribution: events, issues, users and percentage per value, filterable by query', async () => {
  const all = (await server.api(`${p()}/tags/tier/distribution/`)).body;
  assert.equal(all.totalEvents, 100);
  assert.deepEqual(all.values.map((v: any) => [v.value, v.events, v.issues, v.users, v.percentage]), [
    ['enterprise', 50, 2, 3, 50], // odd events: users u1, u3 (checkout) and u1, u3, u5 (search)
    ['free', 50, 2, 3, 50],
  ]);
  const checkout = (await server.api(`${p()}/tags/flag_new_checkout/distribution/?query=error.type:CheckoutError`)).body;
  assert.equal(checkout.totalEvents, 40);
  assert.deepEqual(checkout.values.map((v: any) => [v.value, v.events, v.percentage]), [['true', 30, 75], ['false', 10, 25]]);
  assert.equal(checkout.withoutKey, 0);
  const recent = (await server.api(`${p()}/tags/tier/distribution/?period=1m`)).body;
  assert.equal(recent.totalEvents, 0);
});

test('seed 000 "Which experiment_variant has more errors?": variants side by side', async () => {
  const compare = (await server.api(`${p()}/tags/experiment_variant/compare/`)).body;
  assert.deepEqual(compare.variants.map((v: any) => [v.value, v.events, v.issues, v.users]), [
    ['variant_b', 55, 2, 6],
    ['control', 45, 2, 6],
  ]);
  assert.equal(compare.variants[0].errorRate, null);
});

test('seed 000 "What percentage of errors are from tier=enterprise?" for one issue, also filtered', async () => {
  const id = await issueId('CheckoutError');
  const tags = (await server.api(`/api/0/issues/${id}/tags/`)).body;
  const tier = tags.find((t: any) => t.key === 'tier');
  assert.deepEqual(tier.topValues.map((v: any) => [v.value, v.percentage]), [['enterprise', 50], ['free', 50]]);
  const filtered = (await server.api(`/api/0/issues/${id}/tags/?query=flag_new_checkout:false`)).body;
  const variant = filtered.find((t: any) => t.key === 'experiment_variant');
  assert.deepEqual(variant.topValues.map((v: any) => [v.value, v.count, v.percentage]), [['control', 10, 100]]);
});

test('seed 000 "Are errors correlated with certain flag_* values?": lift and two-proportion z-test', async () => {
  const id = await issueId('CheckoutError');
  const result = (await server.api(`/api/0/issues/${id}/tags/correlation/?prefix=flag_`)).body;
  assert.equal(result.issueEvents, 40);
  assert.equal(result.baselineEvents, 60);
  assert.deepEqual(result.values.map((v: any) => v.key), ['flag_new_checkout', 'flag_new_checkout']);
  const [top, bottom] = result.values;
  assert.equal(top.value, 'true');
  assert.equal(top.issueShare, 0.75);
  assert.equal(top.baselineShare, 0.2);
  assert.equal(top.lift, 3.75);
  // Worked by hand: pooled p = 42/100, se = sqrt(0.42 * 0.58 * (1/40 + 1/60)) = 0.100747, z = 0.55 / se.
  assert.ok(Math.abs(top.z - 5.459) < 0.01, `z = ${top.z}`);
  assert.ok(top.pValue < 1e-6 && top.significant);
  assert.equal(bottom.value, 'false');
  assert.ok(bottom.z < 0 && !bottom.significant);
});

test('trends per issue, per query and per tag value add up to the known counts', async () => {
  const id = await issueId('SearchError');
  const issue = (await server.api(`/api/0/issues/${id}/stats/?period=24h&interval=1h`)).body;
  assert.equal(issue.buckets.reduce((n: number, b: any) => n + b.count, 0), 60);
  assert.equal(issue.buckets.filter((b: any) => b.count > 0).length, 5);
  const query = (await server.api(`${p()}/events/stats/?period=24h&interval=1h&query=flag_new_checkout:true`)).body;
  assert.equal(query.buckets.reduce((n: number, b: any) => n + b.count, 0), 42);
  const pattern = (await server.api(`${p()}/events/stats/?period=24h&interval=1h&query=${encodeURIComponent('tier:ent*')}`)).body;
  assert.equal(pattern.buckets.reduce((n: number, b: any) => n + b.count, 0), 50);
  const combined = (await server.api(`${p()}/events/stats/?period=24h&interval=1h&query=${encodeURIComponent('tier:enterprise flag_new_checkout:true')}`)).body;
  assert.equal(combined.buckets.reduce((n: number, b: any) => n + b.count, 0), 21); // odd i: 15 of the 30 checkout trues, 6 of the 12 search trues
  const perMinute = (await server.api(`${p()}/events/stats/?period=6h&interval=1m&query=flag_new_checkout:true`)).body;
  assert.equal(perMinute.buckets.reduce((n: number, b: any) => n + b.count, 0), 42);
  const everything = (await server.api(`${p()}/events/stats/?period=30d&interval=1d`)).body;
  assert.equal(everything.buckets.length, 30);
  assert.equal(everything.buckets.reduce((n: number, b: any) => n + b.count, 0), 100);
  const perValue = (await server.api(`${p()}/tags/flag_new_checkout/stats/?period=24h`)).body;
  const totals = Object.fromEntries(perValue.series.map((s: any) => [s.value, s.buckets.reduce((n: number, b: any) => n + b.count, 0)]));
  assert.deepEqual(totals, { false: 58, true: 42 });
  const list = (await server.api(`${p()}/issues/?statsPeriod=24h&sort=freq`)).body;
  assert.equal(list[0].stats.reduce((n: number, c: number) => n + c, 0), 60);
});

test('analytics parameters are validated', async () => {
  assert.equal((await server.api(`${p()}/tags/tier/distribution/?period=forever`)).status, 400);
  assert.equal((await server.api(`${p()}/tags/tier/distribution/?start=2026-11-02&end=2026-11-01`)).status, 400);
  assert.equal((await server.api(`${p()}/events/stats/?query=${encodeURIComponent('tier:"open')}`)).status, 400);
  const bad = await server.api(`${p()}/issues/?query=${encodeURIComponent('a:1 OR')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_query');
  assert.equal(bad.body.error.position, 4);
});

test('identity keys (user.*, account.*) search issues and events through the events that carry them', async () => {
  const issues = (await server.api(`${p()}/issues/?query=${encodeURIComponent('user.id:u5')}`)).body;
  assert.deepEqual(issues.map((i: any) => i.title), ['SearchError: failed']);
  const both = (await server.api(`${p()}/issues/?query=${encodeURIComponent('user.id:[u0, u5]')}`)).body;
  assert.equal(both.length, 2);
  const none = (await server.api(`${p()}/issues/?query=${encodeURIComponent('!user.id:u5')}`)).body;
  assert.deepEqual(none.map((i: any) => i.title), ['CheckoutError: failed']);
  const events = (await server.api(`${p()}/events/?limit=100&query=user.id:u5`)).body;
  assert.equal(events.length, 10); // SearchError i % 6 == 5 for i < 60
  const values = (await server.api(`${p()}/tags/user.id/values/?query=u`)).body;
  assert.deepEqual(values.slice(0, 2).map((v: any) => [v.value, v.count, v.issues]), [['u0', 20, 2], ['u1', 20, 2]]); // 10 checkout (i % 4) + 10 search (i % 6)
  const id = await issueId('CheckoutError');
  const hidden = (await server.api(`/api/0/issues/${id}/tags/`)).body.map((t: any) => t.key);
  assert.ok(!hidden.includes('user.id'));
  const shown = (await server.api(`/api/0/issues/${id}/tags/?derived=true`)).body.find((t: any) => t.key === 'user.id');
  assert.deepEqual(shown.topValues.map((v: any) => v.count), [10, 10, 10, 10]);
  const one = (await server.api(`/api/0/issues/${id}/tags/user.id/`)).body;
  assert.equal(one.totalValues, 40);
});
