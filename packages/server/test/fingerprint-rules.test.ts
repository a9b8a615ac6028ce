/**
 * Fingerprint rules over HTTP against the real server (built CLI), on the backend the suite runs
 * (PROLIFERATE_TEST_STORE=postgres for PostgreSQL): parse errors with positions, storage per
 * project, grouping of new events, the event view showing the rule, existing issues untouched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createOwner, inviteAndJoin } from '../../../tests/helpers/accounts.js';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const errorEvent = (type: string, value: string, extra: Record<string, unknown> = {}) => ({
  event_id: newId(),
  platform: 'node',
  exception: { values: [{ type, value, stacktrace: { frames: [{ function: `handle${type}`, filename: `${type}.js`, in_app: true }] } }] },
  ...extra,
});

async function sendEvent(projectId: number, publicKey: string, event: Record<string, unknown>): Promise<void> {
  const body = `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
  const response = await fetch(`${server.url}/api/${projectId}/envelope/?sentry_key=${publicKey}`, { method: 'POST', body });
  assert.equal(response.status, 200, await response.text());
}

/** The stored event, once the writer committed it. */
async function storedEvent(projectId: number, eventId: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const answer = await server.api(`/api/0/projects/${projectId}/events/${eventId}/`);
    if (answer.status === 200) return answer.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`event ${eventId} was not stored`);
}

async function newProject(name: string): Promise<{ id: number; publicKey: string }> {
  const created = await server.api('/api/0/projects/', { method: 'POST', body: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

const putRules = (projectId: number, rules: string) => server.api(`/api/0/projects/${projectId}/fingerprint-rules/`, { method: 'PUT', body: { rules } });

describe('fingerprint rules API', () => {
  test('a project without rules answers an empty text', async () => {
    const project = await newProject('No rules');
    const answer = await server.api(`/api/0/projects/${project.id}/fingerprint-rules/`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { rules: '', updatedAt: null, parsed: [] });
  });

  test('rules that do not parse are refused with the line and column, and nothing is stored', async () => {
    const project = await newProject('Bad rules');
    assert.equal((await putRules(project.id, 'error.type:A -> a')).status, 200);
    const bad = await putRules(project.id, '# comment\nerror.type:A -> a\n  colour:red -> b\n');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_fingerprint_rules');
    assert.equal(bad.body.error.line, 3);
    assert.equal(bad.body.error.column, 3);
    assert.equal(bad.body.error.field, 'body.rules');
    assert.match(bad.body.error.message, /line 3, column 3: unknown matcher `colour`/);
    const variable = await putRules(project.id, 'type:X -> {{ nope }}');
    assert.deepEqual([variable.status, variable.body.error.line, variable.body.error.column], [400, 1, 11]);
    assert.equal((await server.api(`/api/0/projects/${project.id}/fingerprint-rules/`)).body.rules, 'error.type:A -> a', 'the earlier rules stay');
  });

  test('the body is bounded and typed', async () => {
    const project = await newProject('Bounded rules');
    const huge = await putRules(project.id, '#'.repeat(70_000));
    assert.equal(huge.status, 400);
    assert.equal(huge.body.error.code, 'invalid_body');
    const wrongType = await server.api(`/api/0/projects/${project.id}/fingerprint-rules/`, { method: 'PUT', body: { rules: 12 } });
    assert.equal(wrongType.status, 400);
    const many = Array.from({ length: 501 }, (_, i) => `tags.n:${i} -> n${i}`).join('\n');
    const tooMany = await putRules(project.id, many);
    assert.deepEqual([tooMany.status, tooMany.body.error.line], [400, 501]);
  });

  test('admins change the rules; members and viewers read them; other projects\' people see no project', async () => {
    const project = await newProject('Rules access');
    const elsewhere = await newProject('Rules access elsewhere');
    const owner = await createOwner(server.url, server.setupUrl!);
    const admin = await inviteAndJoin(owner, 'rules-admin@example.com', 'admin', []);
    const member = await inviteAndJoin(owner, 'rules-member@example.com', 'member', [project.id]);
    const viewer = await inviteAndJoin(owner, 'rules-viewer@example.com', 'viewer', [project.id]);
    const outsider = await inviteAndJoin(owner, 'rules-outsider@example.com', 'member', [elsewhere.id]);
    const path = `/api/0/projects/${project.id}/fingerprint-rules/`;
    assert.equal((await admin.request('PUT', path, { rules: 'level:fatal -> fatal' })).status, 200);
    for (const [who, client] of [['member', member], ['viewer', viewer]] as const) {
      const refused = await client.request('PUT', path, { rules: 'level:debug -> debug' });
      assert.equal(refused.status, 403, `${who} may not change the rules`);
      assert.equal(typeof refused.body.error.message, 'string');
      const read = await client.request('GET', path);
      assert.deepEqual([read.status, read.body.rules], [200, 'level:fatal -> fatal'], `${who} reads them`);
    }
    assert.equal((await outsider.request('GET', path)).status, 404, 'a project one cannot see does not exist');
    assert.equal((await fetch(`${server.url}${path}`)).status, 401);
  });

  test('matching events group by the rule with its title; others and existing issues stay apart', async () => {
    const project = await newProject('Grouped by rules');
    const other = await newProject('Rules elsewhere');
    // An issue from before the rules: it keeps its events (new events only, as in Sentry).
    const before = errorEvent('ConnectionRefused', 'connect ECONNREFUSED');
    await sendEvent(project.id, project.publicKey, before);
    const beforeIssue = (await storedEvent(project.id, before.event_id)).issueId;

    const rules = '# the database is down, whatever the driver says\nerror.type:ConnectionRefused -> database-down title="Database down"\ntype:PoolTimeout -> database-down\ntags.tier:free message:*quota* -> quota, {{ tags.tier }}';
    const saved = await putRules(project.id, rules);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.parsed.map((r: any) => [r.line, r.fingerprint, r.title]), [[2, ['database-down'], 'Database down'], [3, ['database-down'], undefined], [4, ['quota', '{{ tags.tier }}'], undefined]]);
    assert.ok(Date.parse(saved.body.updatedAt) > 0);
    assert.equal((await server.api(`/api/0/projects/${project.id}/fingerprint-rules/`)).body.rules, rules);

    const refused = errorEvent('ConnectionRefused', 'connect ECONNREFUSED 10.0.0.1');
    const timeout = errorEvent('PoolTimeout', 'timed out after 5000 ms');
    const unrelated = errorEvent('TypeError', 'x is undefined');
    const quota = errorEvent('QuotaError', 'over quota', { tags: { tier: 'free' } });
    for (const event of [refused, timeout, unrelated, quota]) await sendEvent(project.id, project.publicKey, event);
    const [r, t, u, q] = await Promise.all([refused, timeout, unrelated, quota].map((e) => storedEvent(project.id, e.event_id)));

    assert.equal(r.issueId, t.issueId, 'two error types, one rule fingerprint, one issue');
    assert.notEqual(r.issueId, beforeIssue, 'the rule groups new events into a new issue');
    assert.notEqual(u.issueId, r.issueId);
    const issue = (await server.api(`/api/0/issues/${r.issueId}/`)).body;
    assert.equal(issue.title, 'Database down');
    assert.equal(issue.count, 2);
    assert.equal((await server.api(`/api/0/issues/${beforeIssue}/`)).body.count, 1, 'the existing issue is not regrouped');

    assert.deepEqual(r.grouping.rule, { line: 2, text: 'error.type:ConnectionRefused -> database-down title="Database down"', title: 'Database down' });
    assert.equal(r.grouping.source, 'database-down');
    assert.equal(r.grouping.fingerprint, issue.fingerprint ?? r.grouping.fingerprint);
    assert.equal(r.title, 'Database down');
    assert.deepEqual(t.grouping.rule, { line: 3, text: 'type:PoolTimeout -> database-down' });
    assert.equal(t.title, 'PoolTimeout: timed out after 5000 ms', 'a rule without a title keeps the event title');
    assert.equal(u.grouping.rule, undefined);
    assert.equal(u.grouping.source, 'TypeError|handleTypeError@TypeError.js');
    assert.equal(q.grouping.source, 'quota|free');

    // Another project's events are not touched by these rules.
    const elsewhere = errorEvent('ConnectionRefused', 'connect ECONNREFUSED');
    await sendEvent(other.id, other.publicKey, elsewhere);
    assert.equal((await storedEvent(other.id, elsewhere.event_id)).grouping.rule, undefined);

    // Emptying the rules brings the default grouping back for new events, at once.
    assert.equal((await putRules(project.id, '')).status, 200);
    const after = errorEvent('ConnectionRefused', 'again');
    await sendEvent(project.id, project.publicKey, after);
    const a = await storedEvent(project.id, after.event_id);
    assert.equal(a.issueId, beforeIssue);
    assert.equal(a.grouping.rule, undefined);
  });
});
