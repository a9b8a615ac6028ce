/**
 * The AlertStore contract, written against the Store interface only: every backend runs the same
 * cases (store/contract-alerts.test.ts registers them). `another` gives a second store over the
 * same data, as a second server process would open it; on a single-process backend it is the same
 * store, so two evaluators or two delivery workers share it, as they could inside one process.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OutboxWorker } from '../../alerts/delivery.js';
import { AlertEvaluator } from '../../alerts/evaluator.js';
import { parseSearch } from '../../query/issue-search.js';
import { digestEvent } from '../../digest/digest.js';
import type { AlertRuleInput } from '../alert-types.js';
import type { Store } from '../types.js';

const now = Date.now();
let nextId = 1;

const event = (projectId: number, type: string, environment: string, tags: Record<string, string> = {}) =>
  digestEvent(
    {
      event_id: (nextId++).toString(16).padStart(32, '0'),
      timestamp: now / 1000,
      environment,
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags,
    },
    projectId,
    { receivedMs: now },
  );

const rule = (overrides: Partial<AlertRuleInput>): AlertRuleInput => ({
  name: 'r', trigger: 'new_issue', environments: [], query: '', threshold: null, windowMinutes: null, throttleMinutes: 30, enabled: true,
  actions: [{ type: 'slack', url: 'https://hooks.example.com/x' }], ...overrides,
});

/** A write is readable with its tags and counts (SQLite applies derived rows after the commit). */
async function written(store: Store, events: ReturnType<typeof event>[]): Promise<void> {
  await store.write(events, []);
  await store.listIssues({ projectId: events[0]!.projectId, filter: null, sort: 'date', limit: 1 });
}

/**
 * Polls until `check` gives a value: on PostgreSQL an event becomes visible to the evaluator only
 * once every older transaction on the server has ended (alerts/README.md), which on a busy server
 * is a moment after the write returns.
 */
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ofProject = (projectId: number) => (e: { projectId: number }) => e.projectId === projectId;

/** Runs evaluation passes until the store has nothing left after the cursor. */
async function evaluateAll(evaluator: AlertEvaluator): Promise<void> {
  for (let pass = 0; pass < 50; pass++) if ((await evaluator.runOnce()) === 0) return;
  throw new Error('the evaluator did not catch up in 50 passes');
}

/** An HTTP receiver that counts what it gets per delivery id. */
class Receiver {
  readonly deliveries = new Map<string, number>();
  private server: Server | null = null;
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['x-proliferate-delivery']);
        this.deliveries.set(id, (this.deliveries.get(id) ?? 0) + 1);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async stop() {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export function alertStoreContract(
  name: string,
  open: () => Promise<{ store: Store; another: () => Promise<Store>; close: () => Promise<void> }>,
): void {
  describe(`AlertStore contract (${name})`, () => {
    let store: Store;
    let another: () => Promise<Store>;
    let close: () => Promise<void>;

    before(async () => {
      ({ store, another, close } = await open());
    });
    after(() => close());

    /** Each case in its own project, with the cursor caught up first (rules of one case never see another's events). */
    async function freshProject(label: string): Promise<number> {
      const projectId = (await store.createProject({ name: label })).id;
      await evaluateAll(new AlertEvaluator(store, 'https://errors.example.com'));
      return projectId;
    }

    test('the evaluation batch carries each event with its environment, and the rule query is checked in SQL', async () => {
      const projectId = await freshProject('Batch');
      await written(store, [event(projectId, 'AError', 'production', { tier: 'enterprise' }), event(projectId, 'BError', 'staging', { tier: 'free' })]);
      const events = await eventually('the two events', async () => {
        const mine = (await store.alertEvaluationBatch(100)).events.filter(ofProject(projectId));
        return mine.length === 2 && mine;
      });
      assert.deepEqual(events.map((e) => e.environment), ['production', 'staging']);
      assert.deepEqual(events.map((e) => e.newIssue), [true, true]);
      const matching = await store.eventRowsMatching(projectId, parseSearch('tier:enterprise')!, events.map((e) => e.row));
      assert.deepEqual([...matching], [events[0]!.row]);
      await evaluateAll(new AlertEvaluator(store, 'https://errors.example.com'));
    });

    test('committing an evaluation is all or nothing and refuses a cursor that moved', async () => {
      const projectId = await freshProject('Commit');
      const created = await store.createAlertRule(projectId, rule({}));
      await written(store, [event(projectId, 'CommitError', 'production')]);
      const batch = await eventually('the event', async () => {
        const b = await store.alertEvaluationBatch(100);
        return b.events.some(ofProject(projectId)) && b;
      });
      const commit = {
        fromCursor: batch.cursor, toCursor: batch.nextCursor,
        outbox: [{ ruleId: created.id, projectId, issueId: batch.events.find(ofProject(projectId))!.issueId, actionIndex: 0, action: created.actions[0]!, message: { hello: 1 }, createdAt: now }],
        throttle: [], fired: [{ ruleId: created.id, at: now }],
      };
      const manyKeys = Array.from({ length: 6000 }, (_, i) => ({ ruleId: created.id + (i % 20), issueId: i }));
      assert.deepEqual(await store.alertThrottleStates(manyKeys), [], 'a pass with 20 rules × 300 issues reads its throttle states');
      assert.equal(await store.commitAlertEvaluation(commit), true);
      assert.equal(await store.commitAlertEvaluation(commit), false, 'the same pass cannot commit twice');
      assert.equal((await store.outboxForRule(created.id, 10)).length, 1);
      assert.equal((await store.alertEvaluationBatch(100)).events.filter(ofProject(projectId)).length, 0);
      assert.equal((await store.getAlertRule(created.id))!.lastFiredAt, new Date(now).toISOString());
      await store.deleteAlertRule(created.id);
      assert.equal((await store.outboxForRule(created.id, 10)).length, 0, 'a deleted rule takes its undelivered notifications with it');
    });

    test('the evaluator fires new_issue once per issue, filtered by environment', async () => {
      const projectId = await freshProject('New issues');
      const created = await store.createAlertRule(projectId, rule({ name: 'prod', environments: ['production'] }));
      await written(store, [event(projectId, 'CError', 'production'), event(projectId, 'CError', 'production'), event(projectId, 'DError', 'staging')]);
      const evaluator = new AlertEvaluator(store, 'https://errors.example.com');
      await eventually('the notification', async () => (await evaluator.runOnce(), (await store.outboxForRule(created.id, 10)).length > 0));
      await evaluateAll(evaluator);
      const outbox = await store.outboxForRule(created.id, 10);
      assert.equal(outbox.length, 1);
      const message = outbox[0]!.message as { issue: { title: string }; url: string; event: { environment: string } };
      assert.match(message.issue.title, /^CError/);
      assert.equal(message.event.environment, 'production');
      assert.match(message.url, /^https:\/\/errors\.example\.com\/issues\/\d+\/$/);
    });

    test('a resolved issue that comes back fires a regression rule once for that reopening', async () => {
      const projectId = await freshProject('Regression');
      const created = await store.createAlertRule(projectId, rule({ name: 'back', trigger: 'regression', throttleMinutes: 0 }));
      const evaluator = new AlertEvaluator(store, 'https://errors.example.com');
      await written(store, [event(projectId, 'BackError', 'production')]);
      await eventually('the first event evaluated', async () => (await evaluator.runOnce(), (await store.alertEvaluationBatch(10)).events.length === 0));
      const issueId = (await store.listIssues({ projectId, filter: null, sort: 'date', limit: 1 })).items[0]!.id;
      await store.setIssueStatus(issueId, 'resolved');
      await written(store, [event(projectId, 'BackError', 'production')]);
      await written(store, [event(projectId, 'BackError', 'production')]);
      await eventually('the regression', async () => (await evaluator.runOnce(), (await store.outboxForRule(created.id, 10)).length > 0));
      await evaluateAll(evaluator);
      assert.equal((await store.getIssue(issueId))!.status, 'unresolved');
      assert.equal((await store.outboxForRule(created.id, 10)).length, 1);
      await store.setIssueStatus(issueId, 'resolved');
      await written(store, [event(projectId, 'BackError', 'production')]);
      await eventually('the second regression', async () => (await evaluator.runOnce(), (await store.outboxForRule(created.id, 10)).length === 2));
    });

    test('two evaluators (two processes where the backend has them) over the same events decide each notification once', async () => {
      const projectId = await freshProject('Two evaluators');
      const created = await store.createAlertRule(projectId, rule({ name: 'both' }));
      const second = await another();
      const issues = 25;
      await written(store, Array.from({ length: issues }, (_, i) => event(projectId, `Twice${i}Error`, 'production')));
      const evaluators = [new AlertEvaluator(store, 'https://e.example.com'), new AlertEvaluator(second, 'https://e.example.com')];
      await eventually('every issue notified', async () => {
        await Promise.all(evaluators.map((e) => e.runOnce()));
        return (await store.outboxForRule(created.id, 100)).length >= issues;
      });
      for (let round = 0; round < 3; round++) await Promise.all(evaluators.map((e) => e.runOnce()));
      const outbox = await store.outboxForRule(created.id, 100);
      assert.equal(outbox.length, issues);
      assert.equal(new Set(outbox.map((o) => o.issueId)).size, issues, 'one notification per issue');
    });

    test('two delivery workers (two processes where the backend has them) deliver each notification exactly once', async () => {
      const receiver = new Receiver();
      await receiver.start();
      try {
        const projectId = await freshProject('Two workers');
        const created = await store.createAlertRule(projectId, rule({ name: 'hook', actions: [{ type: 'webhook', url: receiver.url, secret: 's3cret' }] }));
        const second = await another();
        const issues = 45;
        await written(store, Array.from({ length: issues }, (_, i) => event(projectId, `Deliver${i}Error`, 'production')));
        const evaluator = new AlertEvaluator(store, 'https://e.example.com');
        await eventually('every issue notified', async () => (await evaluator.runOnce(), (await store.outboxForRule(created.id, 100)).length === issues));
        const settings = { allowPrivate: true, giveUpAfterMs: 60_000 };
        const workers = [new OutboxWorker(store, settings), new OutboxWorker(second, settings)];
        const claimed = [0, 0];
        for (let round = 0; round < 20; round++) {
          const counts = await Promise.all(workers.map((w) => w.runOnce()));
          counts.forEach((n, i) => (claimed[i]! += n));
          if (counts.every((n) => n === 0)) break;
        }
        const outbox = await store.outboxForRule(created.id, 100);
        assert.equal(outbox.length, issues);
        assert.ok(outbox.every((o) => o.status === 'delivered' && o.attempts === 1), 'every entry delivered with one attempt');
        assert.equal(receiver.deliveries.size, issues);
        assert.deepEqual([...new Set(receiver.deliveries.values())], [1], 'no delivery id arrived twice');
        assert.ok(claimed[0]! > 0 && claimed[1]! > 0, `both workers took a share (${claimed.join(' / ')})`);
        assert.equal((await store.deliveryLog(created.id, 100)).length, issues);
      } finally {
        await receiver.stop();
      }
    });
  });
}
