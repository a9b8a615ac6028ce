import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestEvent } from '../../digest/digest.js';
import { parseSearch } from '../../query/issue-search.js';
import { AlertEvaluator } from '../../alerts/evaluator.js';
import { SqliteStore } from './store.js';

let dir: string;
let store: SqliteStore;
let projectId: number;
const now = Date.now();

const event = (id: number, type: string, environment: string, tags: Record<string, string>) =>
  digestEvent(
    {
      event_id: id.toString(16).padStart(32, '0'),
      timestamp: now / 1000,
      environment,
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags,
    },
    projectId,
    { receivedMs: now },
  );

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proliferate-alert-store-'));
  store = new SqliteStore({ dataDir: dir });
  projectId = (await store.createProject({ name: 'Alert store' })).id;
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the evaluation batch carries each event with its environment, and the rule query is checked in SQL', async () => {
  await store.write([event(1, 'AError', 'production', { tier: 'enterprise' }), event(2, 'BError', 'staging', { tier: 'free' })], []);
  await store.listIssues({ projectId, filter: null, sort: 'date', limit: 1 }); // waits for the derived rows
  const batch = await store.alertEvaluationBatch(100);
  assert.deepEqual(batch.events.map((e) => e.environment), ['production', 'staging']);
  const matching = await store.eventRowsMatching(projectId, parseSearch('tier:enterprise')!, batch.events.map((e) => e.row));
  assert.deepEqual([...matching], [batch.events[0]!.row]);
});

test('committing an evaluation is all or nothing and refuses a cursor that moved', async () => {
  const rule = await store.createAlertRule(projectId, {
    name: 'r', trigger: 'new_issue', environments: [], query: '', threshold: null, windowMinutes: null, throttleMinutes: 30, enabled: true,
    actions: [{ type: 'slack', url: 'https://hooks.example.com/x' }],
  });
  const batch = await store.alertEvaluationBatch(100);
  const commit = {
    fromCursor: batch.cursor, toCursor: batch.events.at(-1)!.row, maxIssueId: Math.max(...batch.events.map((e) => e.issueId)),
    outbox: [{ ruleId: rule.id, projectId, issueId: batch.events[0]!.issueId, actionIndex: 0, action: rule.actions[0]!, message: { hello: 1 }, createdAt: now }],
    throttle: [], fired: [{ ruleId: rule.id, at: now }],
  };
  const manyKeys = Array.from({ length: 6000 }, (_, i) => ({ ruleId: rule.id + (i % 20), issueId: i }));
  assert.deepEqual(await store.alertThrottleStates(manyKeys), [], 'a pass with 20 rules × 300 issues reads its throttle states');
  assert.equal(await store.commitAlertEvaluation(commit), true);
  assert.equal(await store.commitAlertEvaluation(commit), false, 'the same pass cannot commit twice');
  assert.equal((await store.dueOutbox(now, 10)).length, 1);
  assert.equal((await store.alertEvaluationBatch(100)).events.length, 0);
  assert.equal((await store.getAlertRule(rule.id))!.lastFiredAt, new Date(now).toISOString());
  await store.deleteAlertRule(rule.id);
  assert.equal((await store.dueOutbox(now, 10)).length, 0, 'a deleted rule takes its undelivered notifications with it');
});

test('the evaluator fires new_issue once per issue, filtered by environment', async () => {
  const rule = await store.createAlertRule(projectId, {
    name: 'prod', trigger: 'new_issue', environments: ['production'], query: '', threshold: null, windowMinutes: null, throttleMinutes: 30, enabled: true,
    actions: [{ type: 'slack', url: 'https://hooks.example.com/y' }],
  });
  await store.write([event(10, 'CError', 'production', {}), event(11, 'CError', 'production', {}), event(12, 'DError', 'staging', {})], []);
  await store.listIssues({ projectId, filter: null, sort: 'date', limit: 1 });
  const evaluator = new AlertEvaluator(store, 'https://errors.example.com');
  assert.equal(await evaluator.runOnce(), 3);
  const outbox = await store.outboxForRule(rule.id, 10);
  assert.equal(outbox.length, 1);
  const message = outbox[0]!.message as { issue: { title: string }; url: string; event: { environment: string } };
  assert.match(message.issue.title, /^CError/);
  assert.equal(message.event.environment, 'production');
  assert.match(message.url, /^https:\/\/errors\.example\.com\/issues\/\d+\/$/);
  assert.equal(await evaluator.runOnce(), 0);
});
