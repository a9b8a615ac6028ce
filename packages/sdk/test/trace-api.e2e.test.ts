/**
 * Seed 004's setTraceTag / deleteTraceTag / searchTraces against the real server: traces sent by
 * the SDK itself, then tagged and searched through the query API with an API token.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import * as Proliferate from '../src/node/index.js';
import { waitFor } from './e2e-helpers.js';

let server: RunningServer;
const run = randomUUID().slice(0, 12);
const ids: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  delete process.env.PROLIFERATE_API_TOKEN;
  server = await startServer();
  Proliferate.init({ dsn: server.dsn, tracesSampleRate: 1, apiToken: server.adminToken });
  // Three requests of one run: two fast, one slow that fails. The slow one takes 600 ms and the
  // filter asks for over 500: on the loaded CI machine a "fast" span once took over 50 ms.
  for (const [name, ms, fail] of [['fast a', 0, false], ['fast b', 0, false], ['slow', 600, true]] as const) {
    await Proliferate.withIsolationScope(async (scope) => {
      scope.newTrace();
      await Proliferate.startSpan({ op: 'http.server', name }, async (span) => {
        ids.push(Proliferate.getTraceId());
        Proliferate.updateCurrentTrace({ tags: { run, environment: 'production' } });
        await sleep(ms);
        if (fail) span.setStatus('internal_error');
      });
    });
    await sleep(5); // distinct start times, for the order
  }
  assert.equal(await Proliferate.flush(5000), true);
  await waitFor('the three traces', async () => ((await Proliferate.searchTraces({ filterString: `tags.run = '${run}'` })).length === 3 ? true : undefined));
});

after(async () => {
  await Proliferate.close(2000);
  await server?.stop();
});

const idsOf = (traces: Proliferate.Trace[]) => traces.map((t) => t.info.traceId);

test('searchTraces takes the filter string, order and limit of seed 004', async () => {
  const all = await Proliferate.searchTraces({ filterString: `tags.run = '${run}'`, orderBy: ['timestamp_ms ASC'], maxResults: 100 });
  assert.deepEqual(idsOf(all), ids);
  assert.equal(all[0]!.info.name, 'fast a');
  assert.equal(all[0]!.info.tags.environment, 'production');
  assert.deepEqual(idsOf(await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND status = 'ERROR'` })), [ids[2]]);
  const slow = await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND execution_time_ms > 500` });
  assert.deepEqual(idsOf(slow), [ids[2]]);
  assert.ok(slow[0]!.info.executionTimeMs! >= 500);
  assert.deepEqual(idsOf(await Proliferate.searchTraces({ filterString: `tags.run = '${run}'`, orderBy: 'timestamp_ms DESC', maxResults: 2 })), [ids[2], ids[1]]);
});

test('setTraceTag and deleteTraceTag change a finished trace, and search sees the change', async () => {
  for (const t of await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND status = 'ERROR'`, maxResults: 100 })) {
    await Proliferate.setTraceTag(t.info.traceId, 'needs_review', 'true');
    await Proliferate.setTraceTag(t.info.traceId, 'review_priority', 'high');
  }
  const review = await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND tags.needs_review = 'true'` });
  assert.deepEqual(idsOf(review), [ids[2]]);
  assert.equal(review[0]!.info.tags.review_priority, 'high');
  await Proliferate.setTraceTag(ids[2]!, 'review_priority', 'low');
  await Proliferate.deleteTraceTag(ids[2]!, 'needs_review');
  const again = await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND tags.review_priority = 'low'` });
  assert.deepEqual(idsOf(again), [ids[2]]);
  assert.equal(again[0]!.info.tags.needs_review, undefined);
});

test('errors name what is wrong: a broken tag rule, a missing tag, a bad filter, no token, an unknown token', async () => {
  const rejects = (promise: Promise<unknown>, status: number, code: string) =>
    assert.rejects(promise, (error: Proliferate.ProliferateApiError) => {
      assert.ok(error instanceof Proliferate.ProliferateApiError);
      assert.equal(error.status, status, error.message);
      assert.equal(error.code, code);
      return true;
    });
  await rejects(Proliferate.setTraceTag(ids[0]!, 'bad key!', 'x'), 400, 'invalid_tag_key');
  await rejects(Proliferate.deleteTraceTag(ids[0]!, 'never_set'), 404, 'not_found');
  await rejects(Proliferate.searchTraces({ filterString: 'tags.run = ' }), 400, 'invalid_query');
  await rejects(Proliferate.searchTraces({ orderBy: ['timestamp_ms DESC', 'name ASC'] }), 0, 'invalid_argument');

  Proliferate.init({ dsn: server.dsn, tracesSampleRate: 1 });
  await assert.rejects(Proliferate.setTraceTag(ids[0]!, 'k', 'v'), /apiToken.*PROLIFERATE_API_TOKEN/);
  process.env.PROLIFERATE_API_TOKEN = server.adminToken;
  try {
    await Proliferate.setTraceTag(ids[0]!, 'from_env', 'yes');
    assert.deepEqual(idsOf(await Proliferate.searchTraces({ filterString: `tags.run = '${run}' AND tags.from_env = 'yes'` })), [ids[0]]);
  } finally {
    delete process.env.PROLIFERATE_API_TOKEN;
  }
  Proliferate.init({ dsn: server.dsn, apiToken: 'not-a-token' });
  await rejects(Proliferate.searchTraces(), 401, 'unauthorized');
});
