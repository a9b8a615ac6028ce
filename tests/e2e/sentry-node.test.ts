/**
 * End to end with the official @sentry/node (10.x and 11.x, unchanged), pointed at a real server:
 * a fixture app sets tags at init and on the global, isolation and current scopes, a user, a
 * context and breadcrumbs, throws from nested functions at two places (3 and 5 times) and sends
 * one message. The fingerprints expected here are computed in this file from the function and
 * file names the fixture uses, never read back from the server.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  framesFromThrow, getEvent, issueTags, lastJsonLine, listIssueEventIds, listIssues, runFixture,
  v1Fingerprint, v1MessageFingerprint, type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { assertScopedTagPercentages } from '../helpers/sdk-assertions.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const fixture = fileURLToPath(new URL('./fixtures/sentry-node-app.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const FILE = 'sentry-node-app.mjs';
const PAYMENT = v1Fingerprint('TypeError', [['validateCard', FILE], ['chargeCard', FILE], ['processPayment', FILE]]);
const PROFILE = v1Fingerprint('RangeError', [['parseAccount', FILE], ['fetchAccount', FILE], ['loadProfile', FILE]]);
const MESSAGE = 'Checkout latency above threshold';

interface FixtureReport {
  flushed: boolean;
  ids: { payment: string[]; profile: string[]; message: string[] };
}

const installedVersion = (pkg: string): string =>
  createRequire(import.meta.url)(`${pkg}/package.json`).version as string;

for (const { pkg, major } of [{ pkg: '@sentry/node', major: '10' }, { pkg: 'sentry-node-11', major: '11' }]) {
  describe(`official @sentry/node ${major}.x (${pkg}) reporting to the server`, () => {
    let server: RunningServer;
    let report: FixtureReport;
    let issues: ApiIssue[];
    const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

    before(async () => {
      assert.equal(installedVersion(pkg).split('.')[0], major, `${pkg} is not version ${major}.x`);
      server = await startServer();
      const stdout = await runFixture(process.execPath, [fixture, pkg], { SENTRY_DSN: server.dsn }, testsDir);
      report = lastJsonLine<FixtureReport>(stdout);
      issues = await listIssues(server);
    });
    after(async () => {
      await server?.stop();
    });

    test('the SDK flushed every capture and reports itself as this version', async () => {
      assert.equal(report.flushed, true);
      assert.deepEqual([report.ids.payment.length, report.ids.profile.length, report.ids.message.length], [3, 5, 1]);
      const event = await getEvent(server, report.ids.payment[0]!);
      assert.equal(event.sdk?.name, 'sentry.javascript.node');
      assert.equal(String(event.sdk?.version).split('.')[0], major);
    });

    test('errors from two throw sites make exactly two error issues with independently computed v1 fingerprints, counts 3 and 5', () => {
      const errorIssues = issues.filter((i) => i.type === 'error');
      assert.deepEqual(errorIssues.map((i) => i.fingerprint).sort(), [PAYMENT, PROFILE].sort());
      const payment = issueBy(PAYMENT);
      const profile = issueBy(PROFILE);
      assert.equal(payment.count, 3);
      assert.equal(profile.count, 5);
      assert.equal(payment.groupingVersion, 'v1');
      assert.match(payment.title, /^TypeError: card number is invalid/);
      assert.match(profile.title, /^RangeError: account age out of range/);
      assert.equal(payment.userCount, 1);
      assert.deepEqual(payment.environments, ['e2e']);
    });

    test('every event id the SDK returned is stored under the issue of its throw site, with frames in SDK order', async () => {
      const payment = issueBy(PAYMENT);
      const profile = issueBy(PROFILE);
      assert.deepEqual((await listIssueEventIds(server, payment.id)).sort(), [...report.ids.payment].sort());
      assert.deepEqual((await listIssueEventIds(server, profile.id)).sort(), [...report.ids.profile].sort());
      const event = await getEvent(server, report.ids.profile[4]!);
      assert.deepEqual(framesFromThrow(event), [['parseAccount', FILE], ['fetchAccount', FILE], ['loadProfile', FILE]]);
      assert.equal(event.grouping.fingerprint, PROFILE);
      assert.equal(event.grouping.source, `RangeError|parseAccount@${FILE}|fetchAccount@${FILE}|loadProfile@${FILE}`);
    });

    test('init, global-scope and isolation tags, user, context, extra and breadcrumbs arrive intact on an event', async () => {
      const event = await getEvent(server, report.ids.payment[2]!);
      assert.equal(event.tags.service, 'checkout-api', 'initialScope tag');
      assert.equal(event.tags.deployment, 'canary', 'global scope tag');
      assert.equal(event.tags.tier, 'free', 'isolation scope tag of this capture');
      assert.equal(event.tags.region, undefined, 'a withScope tag of another capture must not leak');
      assert.equal(event.tags.environment, 'e2e');
      assert.equal(event.tags.release, 'shop@1.4.2');
      assert.equal(event.release, 'shop@1.4.2');
      assert.deepEqual(event.user, { id: 'user-42', email: 'alice@example.com', username: 'alice' });
      assert.deepEqual(event.contexts.cart, { items: 3, total: 42.5, currency: 'EUR' });
      assert.deepEqual(event.extra, { attempt: 2, feature_flag: 'new_checkout' }, 'captureException(error, {extra})');
      const crumbs = event.breadcrumbs.filter((b: any) => b.category === 'navigation' || b.category === 'ui.click');
      assert.deepEqual(
        crumbs.map((b: any) => [b.category, b.message, b.level, b.data]),
        [['navigation', 'opened /checkout', 'info', undefined], ['ui.click', 'clicked pay', 'info', { button: 'pay-now' }]],
      );
      assert.deepEqual(event.processingErrors, []);
    });

    test('scoped tags give the right per-issue percentages: tier 2/3 vs 1/3, region 2/5 vs 3/5, global tags 100%', async () => {
      const paymentTags = await issueTags(server, issueBy(PAYMENT).id);
      const profileTags = await issueTags(server, issueBy(PROFILE).id);
      assertScopedTagPercentages(paymentTags, profileTags, { service: 'checkout-api', deployment: 'canary' }, 'withScope');
      assert.deepEqual(
        paymentTags.find((t) => t.key === 'tier')!.topValues.map((v) => [v.value, v.count]),
        [['enterprise', 2], ['free', 1]],
      );
    });

    test('captureMessage becomes a message issue grouped by its text, not by a stack', async () => {
      const issue = issueBy(v1MessageFingerprint(MESSAGE));
      assert.equal(issue.type, 'message');
      assert.equal(issue.title, MESSAGE);
      assert.equal(issue.level, 'warning');
      assert.equal(issue.count, 1);
      assert.equal(issues.length, 3, 'two error issues and one message issue');
      const event = await getEvent(server, report.ids.message[0]!);
      assert.equal(event.message, MESSAGE);
      assert.equal(event.tags.deployment, 'canary');
      if (major === '11') {
        // 11.x attaches a synthetic exception without a type (with the caller's frames) to messages.
        const synthetic = event.exception?.values?.at(-1);
        assert.ok(synthetic, '11.x sends a synthetic exception with messages');
        assert.equal(synthetic.type, undefined);
        assert.equal(synthetic.value, MESSAGE);
        assert.equal(synthetic.mechanism?.synthetic, true);
      }
    });

    test('a second run of the app joins the same issues, and reopens a resolved one as regressed', async () => {
      const payment = issueBy(PAYMENT);
      const resolved = await server.api(`/api/0/issues/${payment.id}/`, { method: 'PUT', body: { status: 'resolved' } });
      assert.equal(resolved.status, 200);
      assert.equal(resolved.body.status, 'resolved');
      const again = lastJsonLine<FixtureReport>(await runFixture(process.execPath, [fixture, pkg], { SENTRY_DSN: server.dsn }, testsDir));
      assert.equal(again.ids.payment.length, 3);
      const after = await listIssues(server);
      assert.equal(after.length, 3, 'no new issues from the second process');
      const byFingerprint = new Map(after.map((i) => [i.fingerprint, i]));
      assert.equal(byFingerprint.get(PAYMENT)?.count, 6);
      assert.equal(byFingerprint.get(PROFILE)?.count, 10);
      const reopened = (await server.api(`/api/0/issues/${payment.id}/`)).body;
      assert.equal(reopened.status, 'unresolved');
      assert.equal(reopened.isRegressed, true);
      assert.equal(byFingerprint.get(PROFILE)?.status, 'unresolved');
    });
  });
}
