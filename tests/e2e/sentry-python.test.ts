/**
 * End to end with the official Python sentry-sdk (from .venv, unchanged), pointed at a real server:
 * a fixture app sets tags at start-up (one of them not a string) and on the global, isolation and
 * forked current scopes, a user, a context and breadcrumbs, raises from nested functions at two
 * places (3 and 5 times) and sends one message. The transport gzips every envelope. Fingerprints
 * are computed here from the names the fixture uses, never read back from the server.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  framesFromThrow, getEvent, issueTags, lastJsonLine, listIssueEventIds, listIssues, runFixture,
  v1Fingerprint, v1MessageFingerprint, type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { assertScopedTagPercentages } from '../helpers/sdk-assertions.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

const python = join(repoRoot, '.venv/bin/python');
const fixture = fileURLToPath(new URL('./fixtures/sentry_python_app.py', import.meta.url));
const FILE = 'sentry_python_app.py';
const PAYMENT = v1Fingerprint('ValueError', [['validate_card', FILE], ['charge_card', FILE], ['process_payment', FILE]]);
const PROFILE = v1Fingerprint('KeyError', [['parse_account', FILE], ['fetch_account', FILE], ['load_profile', FILE]]);
const MESSAGE = 'Checkout latency above threshold';

interface FixtureReport {
  ids: { payment: string[]; profile: string[]; message: string[] };
  compression: { algo: string | null; level: number | null };
  sdkVersion: string;
}

describe('official Python sentry-sdk reporting to the server', () => {
  let server: RunningServer;
  let report: FixtureReport;
  let issues: ApiIssue[];
  const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

  before(async () => {
    assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
    server = await startServer();
    const stdout = await runFixture(python, [fixture], { SENTRY_DSN: server.dsn }, repoRoot);
    report = lastJsonLine<FixtureReport>(stdout);
    issues = await listIssues(server);
  });
  after(async () => {
    await server?.stop();
  });

  test('gzipped envelopes from the SDK are accepted: every capture is stored', async () => {
    assert.equal(report.compression.algo, 'gzip');
    assert.ok((report.compression.level ?? 0) > 0, 'the transport compresses');
    assert.deepEqual([report.ids.payment.length, report.ids.profile.length, report.ids.message.length], [3, 5, 1]);
    const event = await getEvent(server, report.ids.message[0]!);
    assert.match(String(event.sdk?.name), /^sentry\.python/);
    assert.equal(event.sdk?.version, report.sdkVersion);
  });

  test('exceptions from two raise sites make exactly two error issues with independently computed v1 fingerprints, counts 3 and 5', () => {
    const errorIssues = issues.filter((i) => i.type === 'error');
    assert.deepEqual(errorIssues.map((i) => i.fingerprint).sort(), [PAYMENT, PROFILE].sort());
    const payment = issueBy(PAYMENT);
    const profile = issueBy(PROFILE);
    assert.equal(payment.count, 3);
    assert.equal(profile.count, 5);
    assert.equal(profile.groupingVersion, 'v1');
    assert.match(payment.title, /^ValueError: card number is invalid/);
    assert.match(profile.title, /^KeyError: /);
    assert.equal(profile.userCount, 1);
    assert.deepEqual(profile.environments, ['e2e']);
  });

  test('every event id the SDK returned is stored under the issue of its raise site', async () => {
    assert.deepEqual((await listIssueEventIds(server, issueBy(PAYMENT).id)).sort(), [...report.ids.payment].sort());
    assert.deepEqual((await listIssueEventIds(server, issueBy(PROFILE).id)).sort(), [...report.ids.profile].sort());
    const event = await getEvent(server, report.ids.payment[1]!);
    assert.deepEqual(framesFromThrow(event), [['validate_card', FILE], ['charge_card', FILE], ['process_payment', FILE]]);
    assert.equal(event.grouping.fingerprint, PAYMENT);
  });

  test('start-up, global and isolation tags, user, context and breadcrumbs arrive intact on an event', async () => {
    const event = await getEvent(server, report.ids.payment[0]!);
    assert.equal(event.tags.service, 'payment-api', 'tag set at start-up');
    assert.equal(event.tags.deployment, 'canary', 'global scope tag');
    assert.equal(event.tags.retries, '3', 'a non-string tag value becomes a string');
    assert.equal(event.tags.tier, 'enterprise', 'isolation scope tag of this capture');
    assert.equal(event.tags.region, undefined, 'a new_scope tag of another capture must not leak');
    assert.equal(event.tags.environment, 'e2e');
    assert.equal(event.tags.release, 'shop@1.4.2');
    assert.deepEqual(event.user, { id: 'user-7', email: 'bob@example.com', username: 'bob' });
    assert.deepEqual(event.contexts.cart, { items: 2, total: 19.99, currency: 'USD' });
    const crumbs = event.breadcrumbs.filter((b: any) => b.category === 'auth' || b.category === 'http');
    assert.deepEqual(
      crumbs.map((b: any) => [b.category, b.message, b.level, b.data]),
      [['auth', 'user logged in', 'info', undefined], ['http', 'POST /api/orders', 'info', { status_code: 502 }]],
    );
    assert.deepEqual(event.processingErrors, []);
  });

  test('scoped tags give the right per-issue percentages: tier 2/3 vs 1/3, region 2/5 vs 3/5, start-up tags 100%', async () => {
    const paymentTags = await issueTags(server, issueBy(PAYMENT).id);
    const profileTags = await issueTags(server, issueBy(PROFILE).id);
    assertScopedTagPercentages(paymentTags, profileTags, { service: 'payment-api', deployment: 'canary', retries: '3' }, 'new_scope');
  });

  test('capture_message becomes a message issue grouped by its text', async () => {
    const issue = issueBy(v1MessageFingerprint(MESSAGE));
    assert.equal(issue.type, 'message');
    assert.equal(issue.title, MESSAGE);
    assert.equal(issue.level, 'warning');
    assert.equal(issue.count, 1);
    assert.equal(issues.length, 3, 'two error issues and one message issue');
    const event = await getEvent(server, report.ids.message[0]!);
    assert.equal(event.message, MESSAGE);
    assert.equal(event.tags.service, 'payment-api');
  });
});
