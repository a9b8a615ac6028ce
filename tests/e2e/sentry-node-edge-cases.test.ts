/**
 * End to end with the official @sentry/node (10.x and 11.x) for the shapes beyond the basics: a
 * chained error, an event above the SDK's gzip threshold, non-string and invalid tags, an SDK
 * fingerprint with `{{ default }}`, an attachment, an error in a span, feedback, a check-in, logs,
 * sessions, and an uncaught exception. The fixture observes the SDK's own transport, so the test
 * knows the HTTP status of every envelope the SDK sent. Fingerprints are computed here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  framesFromThrow, getEvent, jsonLines, listIssues, runFixtureToExit, sha256Prefix, v1Fingerprint, v1Source,
  type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { assertHundredQueryBreadcrumbs, assertOddTags } from '../helpers/sdk-assertions.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const fixture = fileURLToPath(new URL('./fixtures/sentry-node-edge-cases.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const F = 'sentry-node-edge-cases.mjs';

const CHAINED = v1Fingerprint('Error', [['loadConfig', F], ['boot', F], ['chainedScope', F]]);
const LARGE = v1Fingerprint('Error', [['renderReport', F], ['exportReport', F], ['largeScope', F]]);
const TAGGED_SOURCE = `${v1Source('RangeError', [['applyDiscount', F], ['priceCart', F], ['taggedScope', F]])}|tenant-a`;
const TAGGED = sha256Prefix(TAGGED_SOURCE);
const IN_SPAN = v1Fingerprint('Error', [['callGateway', F], ['chargeCustomer', F], ['checkoutSpan', F]]);
const UNCAUGHT = v1Fingerprint('TypeError', [['crashWorker', F], ['runWorker', F], ['superviseWorker', F]]);

interface Sent { items: string[]; status: number | null }
interface Report { responses: Sent[]; chained: string; large: string; tagged: string; inSpan: string; traceId: string }

for (const { pkg, major } of [{ pkg: '@sentry/node', major: '10' }, { pkg: 'sentry-node-11', major: '11' }]) {
  describe(`official @sentry/node ${major}.x: chained errors, large events, odd tags, attachments, spans, feedback, crashes`, () => {
    let server: RunningServer;
    let report: Report;
    let finalResponses: Sent[];
    let exitCode: number | null;
    let issues: ApiIssue[];
    const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

    before(async () => {
      server = await startServer();
      const run = await runFixtureToExit(process.execPath, [fixture, pkg], { SENTRY_DSN: server.dsn }, testsDir);
      const lines = jsonLines<Report>(run.stdout);
      assert.equal(lines.length, 2, `fixture output:\n${run.stdout}\n${run.stderr}`);
      [report, { responses: finalResponses }] = lines as [Report, Report];
      exitCode = run.code;
      issues = await listIssues(server);
    });
    after(async () => {
      await server?.stop();
    });

    test('every envelope the SDK sent, whatever its item types, was answered 200', () => {
      assert.ok(finalResponses.length >= 8, JSON.stringify(finalResponses));
      assert.deepEqual(finalResponses.filter((r) => r.status !== 200), []);
      const types = new Set(finalResponses.flatMap((r) => r.items));
      for (const type of ['event', 'attachment', 'feedback', 'check_in', 'log', 'session']) {
        assert.ok(types.has(type), `the SDK sent no ${type} item: ${[...types].join(', ')}`);
      }
      assert.ok(types.has(major === '10' ? 'transaction' : 'span'), `span data missing: ${[...types].join(', ')}`);
    });

    test('feedback, check-ins, logs, sessions and spans make no issues: exactly the five error issues', () => {
      assert.deepEqual(issues.map((i) => i.fingerprint).sort(), [CHAINED, LARGE, TAGGED, IN_SPAN, UNCAUGHT].sort());
      assert.ok(issues.every((i) => i.type === 'error' && i.count === 1));
    });

    test('a chained error groups by the outermost exception, keeps the chain, and its attachment does not disturb it', async () => {
      const event = await getEvent(server, report.chained);
      assert.equal(event.grouping.fingerprint, CHAINED);
      assert.deepEqual(event.exception.values.map((v: any) => [v.type, v.value]), [
        ['SyntaxError', 'unexpected token in config.json'],
        ['Error', 'could not load configuration'],
      ]);
      assert.equal(issueBy(CHAINED).title, 'Error: could not load configuration');
    });

    test('an event above 32 KiB, gzipped and streamed by the SDK, arrives whole with its 100 breadcrumbs', async () => {
      const event = await getEvent(server, report.large);
      assert.equal(event.grouping.fingerprint, LARGE);
      assertHundredQueryBreadcrumbs(event);
    });

    test('non-string tags become strings, invalid tags are dropped and recorded, {{ default }} is spliced into the SDK fingerprint', async () => {
      const event = await getEvent(server, report.tagged);
      assertOddTags(event, TAGGED_SOURCE);
      assert.equal(issueBy(TAGGED).fingerprint, TAGGED);
    });

    test('an error inside a span carries the trace id of that span', async () => {
      const event = await getEvent(server, report.inSpan);
      assert.equal(event.grouping.fingerprint, IN_SPAN);
      assert.match(report.traceId, /^[0-9a-f]{32}$/);
      assert.equal(event.traceId, report.traceId);
      assert.equal(event.contexts.trace.trace_id, report.traceId);
    });

    test('an uncaught exception is reported as unhandled and fatal before the process exits', async () => {
      assert.equal(exitCode, 1);
      const issue = issueBy(UNCAUGHT);
      assert.equal(issue.level, 'fatal');
      const [{ eventId }] = (await server.api(`/api/0/issues/${issue.id}/events/`)).body;
      const event = await getEvent(server, eventId);
      assert.equal(event.exception.values.at(-1).mechanism.handled, false);
      assert.deepEqual(framesFromThrow(event), [['crashWorker', F], ['runWorker', F], ['superviseWorker', F]]);
    });

    test('the account context is the event account and is counted on the issue', async () => {
      const event = await getEvent(server, report.inSpan);
      assert.deepEqual(event.account, { id: 'acct-9', name: 'Acme Corp' });
      assert.equal(issueBy(IN_SPAN).accountCount, 1);
      assert.equal(issueBy(IN_SPAN).userCount, 1);
    });
  });
}
