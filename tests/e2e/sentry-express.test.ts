/**
 * End to end with the official @sentry/node (10.x and 11.x) in an Express 5 app: each request sets
 * its own tag and user on its isolation scope, waits so that requests interleave, and fails in
 * nested functions; Sentry's Express error handler reports it. Six concurrent requests, finishing
 * in reverse order, must give six events in one issue, each with its own request's tag and user:
 * the seeds' "tags set during a request apply to that request only, also under concurrency".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  getEvent, issueTags, lastJsonLine, listIssueEventIds, listIssues, percentages, runFixture, v1Fingerprint,
  type ApiIssue,
} from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const fixture = fileURLToPath(new URL('./fixtures/sentry-express-app.cjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const F = 'sentry-express-app.cjs';
const CHECKOUT = v1Fingerprint('Error', [['validateTier', F], ['chargeOrder', F], ['handleCheckout', F]]);

interface Report { flushed: boolean; statuses: number[]; tiers: string[]; responses: Array<{ items: string[]; status: number | null }> }

for (const { pkg, major } of [{ pkg: '@sentry/node', major: '10' }, { pkg: 'sentry-node-11', major: '11' }]) {
  describe(`official @sentry/node ${major}.x in an Express app with concurrent requests`, () => {
    let server: RunningServer;
    let report: Report;
    let issues: ApiIssue[];
    let events: any[];

    before(async () => {
      server = await startServer();
      report = lastJsonLine<Report>(await runFixture(process.execPath, [fixture, pkg], { SENTRY_DSN: server.dsn }, testsDir));
      issues = await listIssues(server);
      const ids = issues.length === 1 ? await listIssueEventIds(server, issues[0]!.id) : [];
      events = await Promise.all(ids.map((id) => getEvent(server, id)));
    });
    after(async () => {
      await server?.stop();
    });

    test('six failing requests make one issue with six events, six users, the route as culprit', () => {
      assert.equal(report.flushed, true);
      assert.deepEqual(report.statuses, [500, 500, 500, 500, 500, 500]);
      assert.deepEqual(issues.map((i) => i.fingerprint), [CHECKOUT]);
      const [issue] = issues;
      assert.equal(issue!.count, 6);
      assert.equal(issue!.userCount, 6);
      assert.equal(issue!.culprit, 'GET /checkout/:orderId');
      assert.equal(events.length, 6);
    });

    test('every envelope the SDK sent (events, and transactions or spans) was answered 200', () => {
      assert.ok(report.responses.length >= 7, JSON.stringify(report.responses));
      assert.deepEqual(report.responses.filter((r) => r.status !== 200), []);
      const types = new Set(report.responses.flatMap((r) => r.items));
      assert.ok(types.has('event') && types.has(major === '10' ? 'transaction' : 'span'), [...types].join(', '));
    });

    test("each event carries its own request's tag, user and URL, although the requests interleaved", () => {
      const seen = events.map((event) => {
        const url = new URL(event.request.url);
        const n = Number(url.searchParams.get('n'));
        assert.equal(event.request.method, 'GET');
        assert.equal(url.pathname, `/checkout/${1000 + n}`);
        assert.equal(event.tags.tier, report.tiers[n], `request ${n} got tier ${event.tags.tier}`);
        assert.equal(event.user.id, `user-${n}`);
        assert.equal(event.tags.service, 'orders', 'the start-up tag');
        return n;
      });
      assert.deepEqual(seen.sort(), [0, 1, 2, 3, 4, 5]);
    });

    test('the tag distribution splits the tier three ways and keeps the start-up tag at 100%', async () => {
      const tags = await issueTags(server, issues[0]!.id);
      assert.deepEqual(percentages(tags, 'tier'), { free: 33.33, pro: 33.33, enterprise: 33.33 });
      assert.deepEqual(percentages(tags, 'service'), { orders: 100 });
    });
  });
}
