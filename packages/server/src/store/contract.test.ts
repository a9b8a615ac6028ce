/**
 * The store contract: one suite, every backend (SQLite in a temporary directory, PostgreSQL in a
 * fresh database of the local cluster, see tests/helpers/postgres.ts). Trace cases are in
 * contract-traces.test.ts, cases with several processes in contract-concurrency.test.ts.
 */
import { readStoredEvent } from '../digest/stored-event.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent, type NormalizeContext } from '../digest/normalize.js';
import { digestEvent } from '../digest/digest.js';
import { parseSearch } from '../query/issue-search.js';
import { BACKENDS, BASE, errorEvent, HOUR, type OpenedStore } from './contract.fixtures.js';
import type { Store } from './types.js';

for (const backend of BACKENDS) {
  describe(`store contract on ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let projectId: number;
    const event = (...args: Parameters<typeof errorEvent> extends [number, ...infer R] ? R : never) => errorEvent(projectId, ...args);
    const issuesMatching = async (query: string) =>
      (await store.listIssues({ projectId, filter: parseSearch(query, BASE + 10 * HOUR), sort: 'freq', limit: 50 })).items.map((i) => i.title).sort();

    before(async () => {
      opened = await backend.open();
      store = opened.store;
      projectId = (await store.createProject({ name: 'Store test' })).id;
    });
    after(() => opened.cleanup());

    test('one batch of many events gives the same counts as events written one by one', async () => {
      const batch = Array.from({ length: 300 }, (_, i) =>
        event(i + 1, i % 3 === 0 ? 'AlphaError' : 'BetaError', (i % 5) * HOUR, { tier: i % 2 ? 'free' : 'enterprise' }, `user-${i % 7}`, `1.0.${i % 4}`),
      );
      const outcomes = await store.write(batch, []);
      assert.equal(outcomes.filter((o) => o.inserted).length, 300);
      // Written again one by one: all duplicates, nothing counted twice.
      for (const e of batch.slice(0, 20)) assert.equal((await store.write([e], []))[0]?.inserted, false);

      const page = await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 10 });
      const [beta, alpha] = page.items;
      assert.equal(beta?.count, 200);
      assert.equal(alpha?.count, 100);
      assert.equal(alpha?.userCount, 7);
      assert.equal(alpha?.firstSeen, new Date(BASE).toISOString());
      assert.equal(alpha?.lastSeen, new Date(BASE + 4 * HOUR).toISOString());
      assert.equal(alpha?.firstRelease, '1.0.0');

      const tags = await store.issueTagDistribution(alpha!.id, 10);
      const tier = tags.find((t) => t.key === 'tier')!;
      assert.equal(tier.totalValues, 100);
      assert.deepEqual(tier.values.map((v) => [v.value, v.count]), [['enterprise', 50], ['free', 50]]);
      assert.equal(tags.find((t) => t.key === 'user.id'), undefined, 'identity tags are not counted per issue');

      const range = { from: BASE, to: BASE + 5 * HOUR, interval: 'hour' as const };
      const stats = await store.issueStats([alpha!.id, beta!.id], range);
      assert.deepEqual(stats.get(alpha!.id), [20, 20, 20, 20, 20]);
      assert.equal(stats.get(beta!.id)!.reduce((a, b) => a + b, 0), 200);
      assert.deepEqual(await store.eventStats(projectId, null, range), [60, 60, 60, 60, 60]);
      const enterprise = await store.tagValueStats(projectId, 'tier', ['enterprise'], range);
      assert.equal(enterprise.get('enterprise')!.reduce((a, b) => a + b, 0), 150);
      const minutes = await store.issueStats([alpha!.id], { from: BASE, to: BASE + 2 * 60_000, interval: 'minute' });
      assert.deepEqual(minutes.get(alpha!.id), [20, 0]);
    });

    test('searches: tags, identity tags, globs, free text, counts, status; the same issues on every backend', async () => {
      assert.deepEqual(await issuesMatching('tier:enterprise'), ['AlphaError: x', 'BetaError: x']);
      assert.deepEqual(await issuesMatching('user.id:user-3'), ['AlphaError: x', 'BetaError: x']);
      assert.deepEqual(await issuesMatching('release:1.0.*'), ['AlphaError: x', 'BetaError: x']);
      assert.deepEqual(await issuesMatching('RELEASE:1.0.*'.toLowerCase()), ['AlphaError: x', 'BetaError: x']);
      assert.deepEqual(await issuesMatching('alpha'), ['AlphaError: x'], 'free text ignores case');
      assert.deepEqual(await issuesMatching('times_seen:>150'), ['BetaError: x']);
      assert.deepEqual(await issuesMatching('times_seen:>150.5'), ['BetaError: x']);
      assert.deepEqual(await issuesMatching('times_seen:>99999999999999999999'), []);
      assert.deepEqual(await issuesMatching('!tier:free'), []);
      assert.deepEqual(await issuesMatching('tier:nothing OR alpha'), ['AlphaError: x']);
      assert.deepEqual(await issuesMatching('!tier:nothing'), ['AlphaError: x', 'BetaError: x'], 'a value never seen: its negation matches all');
      assert.deepEqual(await issuesMatching('tier:enterprise user.id:user-3 release:1.0.*'), ['AlphaError: x', 'BetaError: x']);
      assert.deepEqual(await issuesMatching('is:resolved'), []);
      const events = await store.listEvents({ projectId, filter: parseSearch('tier:enterprise user.id:user-0'), limit: 500 });
      assert.equal(events.items.length, 22, 'enterprise is even i, user-0 is i % 7 = 0: i % 14 = 0 below 300');
    });

    test('event pages: newest first, keyset cursor, every event once; neighbours within the issue', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listEvents({ projectId, filter: parseSearch('tier:free'), limit: 40, cursor });
        seen.push(...page.items.map((e) => e.eventId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 150);
      assert.equal(new Set(seen).size, 150);
      const { items } = await store.listEvents({ projectId, issueId: (await store.listIssues({ projectId, filter: parseSearch('alpha'), sort: 'date', limit: 1 })).items[0]!.id, filter: null, limit: 3 });
      const middle = await store.eventNeighbors(projectId, items[1]!.eventId);
      assert.deepEqual(middle, { previousEventId: items[2]!.eventId, nextEventId: items[0]!.eventId });
      assert.equal(await store.eventNeighbors(projectId, 'f'.repeat(32)), undefined);
      await assert.rejects(store.listEvents({ projectId, filter: null, limit: 5, cursor: 'not-a-cursor' }), RangeError);
    });

    test('tag keys and values of the project, identity values with event and issue counts', async () => {
      const keys = await store.projectTagKeys(projectId);
      assert.deepEqual(keys.find((k) => k.key === 'tier'), { key: 'tier', uniqueValues: 2 });
      assert.deepEqual(await store.projectTagValues(projectId, 'tier', '', 10), [
        { value: 'enterprise', count: 150, issues: 2 },
        { value: 'free', count: 150, issues: 2 },
      ]);
      assert.deepEqual(await store.projectTagValues(projectId, 'release', '1.0.', 2), [
        { value: '1.0.0', count: 75, issues: 2 },
        { value: '1.0.1', count: 75, issues: 2 },
      ]);
      const users = await store.projectTagValues(projectId, 'user.id', 'user-', 3);
      assert.deepEqual(users.map((u) => u.value), ['user-0', 'user-1', 'user-2']);
      assert.deepEqual(users[0], { value: 'user-0', count: 43, issues: 2 });
    });

    test('project-wide distribution from rollups equals the scan of every event, users distinct across batches', async () => {
      const other = (await store.createProject({ name: 'Rollup distribution' })).id;
      // Three issues, a user seen in several batches and issues, events with no user, a duplicate.
      const make = (i: number) =>
        errorEvent(other, 100_000 + i, ['KeyError', 'TypeError', 'RangeError'][i % 3]!, (i % 9) * HOUR,
          { tier: ['free', 'pro', 'enterprise'][i % 4 === 0 ? 2 : i % 2]!, variant: i % 5 === 0 ? 'b' : 'a' },
          i % 6 === 0 ? undefined : `user-${i % 11}`, `2.0.${i % 3}`);
      await store.write(Array.from({ length: 60 }, (_, i) => make(i)), []);
      await store.write(Array.from({ length: 90 }, (_, i) => make(i + 60)).concat([make(3)]), []);
      const everything = { from: BASE - HOUR, to: BASE + 10 * HOUR };
      for (const key of ['tier', 'variant', 'release', 'level']) {
        const rollup = await store.tagBreakdown({ projectId: other, filter: null, window: null }, key, 20);
        const scan = await store.tagBreakdown({ projectId: other, filter: null, window: everything }, key, 20);
        assert.ok(rollup.length > 0, key);
        assert.deepEqual(rollup, scan, key);
      }
      const tier = await store.tagBreakdown({ projectId: other, filter: null, window: null }, 'tier', 1);
      assert.deepEqual(tier, [{ key: 'tier', value: 'pro', events: 75, issues: 3, users: 11 }]);
      assert.deepEqual(await store.tagBreakdown({ projectId: other, filter: null, window: null }, 'no-such-key', 20), []);
    });

    test('analytics: counts, breakdowns with distinct issues and users, filtered series, correlation', async () => {
      assert.equal(await store.countEvents({ projectId, filter: null, window: null }), 300);
      assert.equal(await store.countEvents({ projectId, filter: parseSearch('tier:enterprise'), window: { from: BASE, to: BASE + HOUR } }), 30);
      const breakdown = await store.tagBreakdown({ projectId, filter: parseSearch('alpha'), window: null }, 'tier', 10);
      assert.deepEqual(breakdown, [
        { key: 'tier', value: 'enterprise', events: 50, issues: 1, users: 7 },
        { key: 'tier', value: 'free', events: 50, issues: 1, users: 7 },
      ]);
      const range = { from: BASE, to: BASE + 5 * HOUR, interval: 'hour' as const };
      assert.deepEqual(await store.eventStats(projectId, parseSearch('tier:enterprise'), range), [30, 30, 30, 30, 30]);
      assert.deepEqual(await store.eventStats(projectId, parseSearch('alpha'), range), [20, 20, 20, 20, 20]);
      const alpha = (await store.listIssues({ projectId, filter: parseSearch('alpha'), sort: 'date', limit: 1 })).items[0]!;
      const hour = Math.floor(BASE / HOUR);
      const correlation = await store.correlationCounts(alpha.id, projectId, 'ti', hour, hour + 4);
      assert.deepEqual(correlation.values.sort((a, b) => a.value.localeCompare(b.value)), [
        { key: 'tier', value: 'enterprise', issueCount: 50, windowCount: 150 },
        { key: 'tier', value: 'free', issueCount: 50, windowCount: 150 },
      ]);
      assert.equal(correlation.windowTotal, 300);
    });

    test('a batch that reaches a resolved issue reopens it once and counts every event', async () => {
      const first = await store.write([event(10_001, 'GammaError', 0, {})], []);
      const issueId = first[0]!.issueId;
      await store.setIssueStatus(issueId, 'resolved');
      assert.deepEqual(await issuesMatching('is:resolved'), ['GammaError: x']);
      await store.write([event(10_002, 'GammaError', HOUR, {}), event(10_003, 'GammaError', 2 * HOUR, {})], []);
      const issue = await store.getIssue(issueId);
      assert.equal(issue?.status, 'unresolved');
      assert.equal(issue?.isRegressed, true);
      assert.equal(issue?.count, 3);
      assert.equal(await store.setIssuesStatus(projectId, [issueId, 2 ** 40], 'ignored'), 1);
      assert.equal((await store.getIssue(issueId))?.isRegressed, false);
      assert.equal(await store.getIssue(2 ** 40), undefined);
    });

    test('the last release follows the newest event, not the order of arrival', async () => {
      const outcomes = await store.write(
        [event(20_001, 'DeltaError', 2 * HOUR, {}, undefined, '2.0.0'), event(20_002, 'DeltaError', HOUR, {}, undefined, '1.9.0')],
        [],
      );
      const issue = await store.getIssue(outcomes[0]!.issueId);
      assert.equal(issue?.lastRelease, '2.0.0');
      assert.equal(issue?.firstRelease, '2.0.0');
    });

    test('an event sent twice in one batch is stored once and both outcomes name its issue', async () => {
      const e = event(30_001, 'EpsilonError', 0, {});
      const outcomes = await store.write([e, e], []);
      assert.deepEqual(outcomes.map((o) => o.inserted), [true, false]);
      assert.equal(outcomes[0]!.issueId, outcomes[1]!.issueId);
      assert.equal((await store.getIssue(outcomes[0]!.issueId))?.count, 1);
    });

    test('an event kept as received reads back exactly as normalizing it on arrival gives: address, made-up id, envelope trace', async () => {
      const cases: Array<{ raw: Record<string, unknown>; ctx: NormalizeContext }> = [
        {
          raw: {
            event_id: 'ab'.repeat(16),
            user: { id: 'u1', ip_address: '{{auto}}' },
            breadcrumbs: [{ category: 'http', message: 'GET /', timestamp: BASE / 1000 - 5, data: { status: 200 } }],
            extra: { cart: { items: 3 } },
            request: { url: 'https://shop.example/checkout', method: 'POST' },
            exception: { values: [{ type: 'KeptError', value: 'as received', stacktrace: { frames: [{ function: 'pay', filename: 'pay.js', in_app: true }] } }] },
          },
          ctx: { receivedMs: BASE + 5, clientIp: '203.0.113.9' },
        },
        // No id anywhere, an invalid one in the item: ingest makes one up and reports it.
        { raw: { event_id: 'not-an-id', message: 'no id', tags: { 'bad key!': 'x' } }, ctx: { receivedMs: BASE + 6 } },
        // No trace context in the event: the envelope's dynamic sampling context gives the trace id.
        { raw: { message: 'traced', timestamp: BASE / 1000 }, ctx: { receivedMs: BASE + 7, envelopeEventId: 'cd'.repeat(16), envelopeTrace: { trace_id: 'ef'.repeat(16) } } },
      ];
      for (const { raw, ctx } of cases) {
        const json = new TextEncoder().encode(JSON.stringify(raw));
        const digested = digestEvent(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>, projectId, ctx, json);
        await store.write([digested], []);
        const stored = readStoredEvent((await store.getEvent(projectId, digested.eventId))!);
        const { eventId, timestamp, received, ...expected } = normalizeEvent(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>, ctx);
        if (raw.event_id === 'not-an-id') assert.notEqual(eventId, digested.eventId, 'a made-up id is random each time');
        else assert.equal(eventId, digested.eventId);
        assert.equal(new Date(stored!.timestamp).getTime(), timestamp);
        assert.equal(new Date(stored!.received).getTime(), received);
        assert.deepEqual(stored!.payload, JSON.parse(JSON.stringify(expected)));
      }
      const first = readStoredEvent((await store.getEvent(projectId, 'ab'.repeat(16)))!);
      assert.equal((first!.payload.user as Record<string, unknown>).ip_address, '203.0.113.9');
      assert.equal(await store.getEvent(projectId, 'ab'.repeat(15)), undefined);
    });

    test('projects, keys and tokens: unique slugs, the last key stays, revoked tokens are refused, other projects see nothing', async () => {
      const a = await store.createProject({ name: 'Shop' });
      const b = await store.createProject({ name: 'Shop' });
      assert.equal(a.slug, 'shop');
      assert.equal(b.slug, 'shop-2');
      assert.equal(await store.findProjectByKey(a.publicKey), a.id);
      assert.equal(await store.revokeProjectKey(a.id, a.publicKey), 'last_key');
      const second = await store.createProjectKey(a.id, 'CI');
      assert.equal(await store.revokeProjectKey(b.id, second.publicKey), 'not_found');
      assert.equal(await store.revokeProjectKey(a.id, a.publicKey), 'revoked');
      assert.equal(await store.findProjectByKey(a.publicKey), undefined);
      assert.equal((await store.getProject(a.id))?.publicKey, second.publicKey);
      assert.deepEqual((await store.listProjectKeys(a.id)).map((k) => k.label), ['CI']);
      const { token, id } = await store.createToken({ name: 'deploy', projectId: a.id });
      assert.deepEqual(await store.verifyToken(token), { id, name: 'deploy', projectId: a.id });
      assert.equal(await store.revokeToken(id), true);
      assert.equal(await store.verifyToken(token), undefined);
      assert.equal(await store.revokeToken(2 ** 40), false);
      assert.equal((await store.listIssues({ projectId: b.id, filter: null, sort: 'date', limit: 10 })).items.length, 0);
      assert.equal(await store.getEvent(b.id, 'ab'.repeat(16)), undefined);
    });
  });
}
