/**
 * Fingerprint rules with the official SDKs, unchanged: the project's rules (set over the API)
 * group two different error types from @sentry/node into one issue with the rule's title while an
 * unrelated error keeps the default grouping; events of the official Python sentry-sdk are grouped
 * by a tag and by the SDK's name. Expected fingerprints are hashed here from the rule's parts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { framesFromThrow, getEvent, lastJsonLine, listIssues, runFixture, sha256Prefix, v1Fingerprint } from '../helpers/official-clients.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

const nodeFixture = fileURLToPath(new URL('./fixtures/sentry-node-fingerprint-rules.mjs', import.meta.url));
const pythonFixture = fileURLToPath(new URL('./fixtures/sentry_python_fingerprint_rules.py', import.meta.url));
const python = join(repoRoot, '.venv/bin/python');
const testsDir = fileURLToPath(new URL('..', import.meta.url));

const RULES = [
  '# Both mean the database is down, whatever the driver calls it',
  'error.type:ConnectionRefusedError -> database-down title="Database unavailable"',
  // The SDK sends concurrently, so either event may open the issue: both rules name the title.
  'error.type:PoolTimeoutError -> database-down title="Database unavailable"',
  'tags.tenant:acme -> billing-tenant, {{ tags.tenant }} title="Billing failure for {{ tags.tenant }}"',
  // The official Python SDK names itself sentry.python, or sentry.python.<framework> (django, flask...)
  'sdk:sentry.python* error.type:ValueError -> python-ledger',
].join('\n');

describe('fingerprint rules applied to events of the official SDKs', () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer();
    const saved = await server.api(`/api/0/projects/${server.projectId}/fingerprint-rules/`, { method: 'PUT', body: { rules: RULES } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  });
  after(async () => {
    await server?.stop();
  });

  test('@sentry/node: two error types one rule groups are ONE issue with the rule title; a third error stays apart', async () => {
    const stdout = await runFixture(process.execPath, [nodeFixture], { SENTRY_DSN: server.dsn }, testsDir);
    const report = lastJsonLine<{ flushed: boolean; ids: { refused: string; timeout: string; unrelated: string } }>(stdout);
    assert.equal(report.flushed, true);
    const [refused, timeout, unrelated] = await Promise.all([report.ids.refused, report.ids.timeout, report.ids.unrelated].map((id) => getEvent(server, id)));
    assert.equal(refused.issueId, timeout.issueId);
    assert.notEqual(unrelated.issueId, refused.issueId);

    const issues = await listIssues(server);
    const grouped = issues.find((i) => i.id === refused.issueId)!;
    assert.equal(grouped.fingerprint, sha256Prefix('database-down'));
    assert.equal(grouped.title, 'Database unavailable');
    assert.equal(grouped.count, 2);
    const apart = issues.find((i) => i.id === unrelated.issueId)!;
    // The default (seed 001) grouping, hashed here from the frames the SDK sent.
    assert.equal(framesFromThrow(unrelated)[0]?.[0], 'renderOrder');
    assert.equal(apart.fingerprint, v1Fingerprint('TypeError', framesFromThrow(unrelated)));
    assert.match(apart.title, /^TypeError: /);
    assert.equal(unrelated.grouping.rule, undefined);
    assert.equal(unrelated.grouping.fingerprint, apart.fingerprint);

    assert.deepEqual(refused.grouping.rule, { line: 2, text: 'error.type:ConnectionRefusedError -> database-down title="Database unavailable"', title: 'Database unavailable' });
    assert.deepEqual([refused.grouping.source, refused.grouping.fingerprint], ['database-down', grouped.fingerprint]);
    assert.deepEqual(timeout.grouping.rule, { line: 3, text: 'error.type:PoolTimeoutError -> database-down title="Database unavailable"', title: 'Database unavailable' });
    assert.equal(timeout.title, 'Database unavailable');
  });

  test('Python sentry-sdk: an event is grouped by its tag (tags.tenant) and another by the SDK name (sdk:)', async () => {
    assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
    const stdout = await runFixture(python, [pythonFixture], { SENTRY_DSN: server.dsn }, repoRoot);
    const report = lastJsonLine<{ ids: { acme: string; python: string } }>(stdout);
    const acme = await getEvent(server, report.ids.acme);
    const ledger = await getEvent(server, report.ids.python);
    assert.match(String(acme.sdk?.name), /^sentry\.python/);
    assert.equal(acme.grouping.source, 'billing-tenant|acme');
    assert.equal(acme.grouping.rule.line, 4);
    assert.equal(ledger.grouping.source, 'python-ledger', `the SDK calls itself ${String(ledger.sdk?.name)}`);
    assert.equal(ledger.grouping.rule.line, 5);
    const issues = await listIssues(server);
    assert.equal(issues.find((i) => i.id === acme.issueId)?.title, 'Billing failure for acme');
    assert.equal(issues.find((i) => i.id === acme.issueId)?.fingerprint, sha256Prefix('billing-tenant|acme'));
    assert.equal(issues.find((i) => i.id === ledger.issueId)?.fingerprint, sha256Prefix('python-ledger'));
    assert.match(String(issues.find((i) => i.id === ledger.issueId)?.title), /^ValueError: ledger out of balance/);
  });
});
