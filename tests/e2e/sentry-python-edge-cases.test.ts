/**
 * End to end with the official Python sentry-sdk for the shapes beyond the basics: a chained
 * exception, 100 breadcrumbs, non-string and invalid tags, an SDK fingerprint with `{{ default }}`,
 * an attachment, an exception never raised, error logs through the logging integration, an error
 * in a transaction, a check-in, structured logs, and an uncaught exception in a thread. The fixture
 * observes the SDK's own transport, so the test knows the encoding and status of every envelope.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  framesFromThrow, getEvent, lastJsonLine, listIssueEventIds, listIssues, runFixture, sha256Prefix, v1Fingerprint,
  v1Source, type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { assertHundredQueryBreadcrumbs, assertOddTags } from '../helpers/sdk-assertions.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

const python = join(repoRoot, '.venv/bin/python');
const fixture = fileURLToPath(new URL('./fixtures/sentry_python_edge_cases.py', import.meta.url));
const F = 'sentry_python_edge_cases.py';

const CHAINED = v1Fingerprint('RuntimeError', [['load_config', F], ['boot', F], ['run_chained_scenario', F]]);
const LARGE = v1Fingerprint('MemoryError', [['render_report', F], ['export_report', F], ['run_large_scenario', F]]);
const TAGGED_SOURCE = `${v1Source('ArithmeticError', [['apply_discount', F], ['price_cart', F], ['run_tagged_scenario', F]])}|tenant-a`;
const TAGGED = sha256Prefix(TAGGED_SOURCE);
const IN_TRANSACTION = v1Fingerprint('TimeoutError', [['call_gateway', F], ['charge_customer', F], ['run_transaction_scenario', F]]);
const THREAD = v1Fingerprint('OSError', [['crash_worker', F], ['run_worker', F], ['supervise_worker', F]]);
// Documented rules for events without a stack trace: `Type|message` and `message|template`.
const UNRAISED = sha256Prefix('LookupError|sku not found');
const LOGGED = sha256Prefix('message|payment failed for order %s');

interface Sent { items: string[]; encoding?: string | null; status: number }
interface Report {
  chained: string; large: string; tagged: string; unraised: string; inTransaction: string; traceId: string;
  responses: Sent[];
}

describe('official Python sentry-sdk: chained errors, odd tags, attachments, logging, transactions, threads', () => {
  let server: RunningServer;
  let report: Report;
  let issues: ApiIssue[];
  const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

  before(async () => {
    assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
    server = await startServer();
    report = lastJsonLine<Report>(await runFixture(python, [fixture], { SENTRY_DSN: server.dsn }, repoRoot));
    issues = await listIssues(server);
  });
  after(async () => {
    await server?.stop();
  });

  test('every envelope the SDK sent was gzipped and answered 200, whatever its item types', () => {
    assert.ok(report.responses.length >= 10, JSON.stringify(report.responses));
    assert.deepEqual(report.responses.filter((r) => r.status !== 200 || r.encoding !== 'gzip'), []);
    const types = new Set(report.responses.flatMap((r) => r.items));
    for (const type of ['event', 'attachment', 'transaction', 'check_in', 'log']) {
      assert.ok(types.has(type), `the SDK sent no ${type} item: ${[...types].join(', ')}`);
    }
  });

  test('check-ins, logs and transactions make no issues: exactly the expected seven', () => {
    assert.deepEqual(
      issues.map((i) => i.fingerprint).sort(),
      [CHAINED, LARGE, TAGGED, IN_TRANSACTION, THREAD, UNRAISED, LOGGED].sort(),
    );
  });

  test('a chained exception groups by the outermost one, keeps the chain, and its attachment does not disturb it', async () => {
    const event = await getEvent(server, report.chained);
    assert.equal(event.grouping.fingerprint, CHAINED);
    assert.deepEqual(event.exception.values.map((v: any) => [v.type, v.value]), [
      ['ValueError', 'unexpected token in config.json'],
      ['RuntimeError', 'could not load configuration'],
    ]);
    assert.equal(issueBy(CHAINED).title, 'RuntimeError: could not load configuration');
  });

  test('an event with 100 long breadcrumbs arrives whole', async () => {
    const event = await getEvent(server, report.large);
    assert.equal(event.grouping.fingerprint, LARGE);
    assertHundredQueryBreadcrumbs(event);
  });

  test('int and bool tags become strings, invalid tags are dropped and recorded, {{ default }} is spliced into the SDK fingerprint', async () => {
    const event = await getEvent(server, report.tagged);
    assertOddTags(event, TAGGED_SOURCE);
    assert.equal(issueBy(TAGGED).fingerprint, TAGGED);
  });

  test('an exception that was never raised has no frames and groups by type and message; a push_scope tag stays on it', async () => {
    const event = await getEvent(server, report.unraised);
    assert.equal(event.tags.legacy_scope, 'yes');
    assert.equal((await getEvent(server, report.inTransaction)).tags.legacy_scope, undefined);
    assert.equal(event.exception.values.at(-1).stacktrace?.frames?.length ?? 0, 0);
    assert.equal(event.grouping.fingerprint, UNRAISED);
    assert.equal(issueBy(UNRAISED).title, 'LookupError: sku not found');
  });

  test('two error logs with one template become one message issue with two events', async () => {
    const issue = issueBy(LOGGED);
    assert.equal(issue.type, 'message');
    assert.equal(issue.count, 2);
    const events = await Promise.all((await listIssueEventIds(server, issue.id)).map((id) => getEvent(server, id)));
    assert.deepEqual(events.map((e) => e.logentry.formatted).sort(), ['payment failed for order A-1001', 'payment failed for order B-2002']);
  });

  test('an error inside a transaction carries its trace id', async () => {
    const event = await getEvent(server, report.inTransaction);
    assert.equal(event.grouping.fingerprint, IN_TRANSACTION);
    assert.match(report.traceId, /^[0-9a-f]{32}$/);
    assert.equal(event.traceId, report.traceId);
  });

  test('an uncaught exception in a thread is reported as unhandled', async () => {
    const issue = issueBy(THREAD);
    const [eventId] = await listIssueEventIds(server, issue.id);
    const event = await getEvent(server, eventId!);
    assert.equal(event.exception.values.at(-1).mechanism.handled, false);
    assert.deepEqual(framesFromThrow(event), [['crash_worker', F], ['run_worker', F], ['supervise_worker', F]]);
  });

  test('a numeric user id and the account context are kept and counted', async () => {
    const event = await getEvent(server, report.inTransaction);
    assert.deepEqual(event.user, { id: '42' });
    assert.deepEqual(event.account, { id: 'acct-9', name: 'Acme Corp' });
    assert.equal(issueBy(IN_TRANSACTION).userCount, 1);
    assert.equal(issueBy(IN_TRANSACTION).accountCount, 1);
  });
});
