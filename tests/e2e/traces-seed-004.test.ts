/**
 * Seed 004 ("Setting Trace Tags"), end to end with our SDKs and the real server: tags set while the
 * trace runs (updateCurrentTrace / update_current_trace), set and deleted after it finished (API and
 * CLI), batch tagging of `status = 'ERROR'`, the performance-category flow, and every filter string
 * of the seed, each with the traces it must find.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import * as Proliferate from '../../packages/sdk/src/node/index.js';
import { lastJsonLine, runFixture } from '../helpers/official-clients.ts';
import { cliPath, repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
const ids: Record<string, string> = {};

interface Request {
  id: string;
  user: string;
  session: string;
  environment: string;
  model: string;
  text: string;
  variant: string;
  sla: string;
  seconds: number;
  fail: boolean;
}

/** Six requests of seed 004's chat service; `seconds` is each one's duration. */
const REQUESTS: Request[] = [
  { id: 'r1', user: 'user_123', session: 'session_456', environment: 'production', model: 'v1.0.0', text: 'URGENT: reset my password', variant: 'control', sla: 'critical', seconds: 6, fail: true },
  { id: 'r2', user: 'user_123', session: 'session_456', environment: 'production', model: 'v2.0.0', text: 'hello there', variant: 'treatment', sla: 'standard', seconds: 2, fail: false },
  { id: 'r3', user: 'user_789', session: 'session_999', environment: 'staging', model: 'v2.0.0', text: 'urgent outage', variant: 'treatment', sla: 'critical', seconds: 12, fail: true },
  { id: 'r4', user: 'user_555', session: 'session_777', environment: 'production', model: 'v1.0.0', text: 'summarize this', variant: 'control', sla: 'critical', seconds: 35, fail: false },
  { id: 'r5', user: 'user_555', session: 'session_777', environment: 'production', model: 'v2.0.0', text: 'translate this', variant: 'treatment', sla: 'standard', seconds: 8, fail: false },
  { id: 'r6', user: 'user_999', session: 'session_111', environment: 'development', model: 'v1.0.0', text: 'urgent!', variant: 'control', sla: 'standard', seconds: 0.5, fail: true },
];

/** One request, as seed 004's process_user_request: tags set with updateCurrentTrace while it runs. */
async function processUserRequest(r: Request): Promise<void> {
  await Proliferate.withIsolationScope(async (scope) => {
    scope.newTrace();
    Proliferate.startSpan({ name: 'process_user_request', op: 'function' }, (span) => {
      Proliferate.updateCurrentTrace({
        tags: {
          user_id: r.user,
          session_id: r.session,
          environment: r.environment,
          model_version: r.model,
          request_type: 'chat_completion',
          priority: r.text.toLowerCase().includes('urgent') ? 'high' : 'normal',
          experiment_variant: r.variant,
          sla_tier: r.sla,
        },
        metadata: { request_id: r.id },
      });
      ids[r.id] = span.traceId;
      Proliferate.startSpan({ name: 'chat completion', op: 'llm' }, (llm) => {
        llm.setData('model', r.model);
        llm.end(llm.startTimestamp + r.seconds * 0.9);
      });
      if (r.fail) span.setStatus('internal_error');
      // The request's duration, without waiting for it.
      span.end(span.startTimestamp + r.seconds);
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
}

const api = <T = any>(path: string, init?: { method?: string; body?: unknown; token?: string }) => server.api<T>(path, init);

/** mlflow.search_traces: the filter string and order_by, answered with the traces found. */
async function searchTraces(filter: string, options: { orderBy?: string; maxResults?: number } = {}): Promise<any[]> {
  const q = new URLSearchParams({ filter });
  if (options.orderBy) q.set('order_by', options.orderBy);
  if (options.maxResults) q.set('max_results', String(options.maxResults));
  const { status, body } = await api(`/api/0/projects/${server.projectId}/traces/?${q}`);
  assert.equal(status, 200, `${filter}: ${JSON.stringify(body)}`);
  return body;
}
const requestIds = (traces: any[]) => traces.map((t) => t.metadata.request_id ?? t.name);
const setTraceTag = async (traceId: string, key: string, value: string) => {
  const { status, body } = await api(`/api/0/traces/${traceId}/tags/${encodeURIComponent(key)}`, { method: 'PUT', body: { value } });
  assert.equal(status, 200, JSON.stringify(body));
};
const deleteTraceTag = (traceId: string, key: string) => api(`/api/0/traces/${traceId}/tags/${encodeURIComponent(key)}`, { method: 'DELETE' });
const traceTags = async (traceId: string) => (await api(`/api/0/traces/${traceId}/`)).body.tags;

before(async () => {
  server = await startServer();
  Proliferate.init({ dsn: server.dsn, tracesSampleRate: 1 });
  // Seed 004, "Setting Tags on Active Traces": my_func tags its trace with fruit=apple.
  await Proliferate.withIsolationScope(async (scope) => {
    scope.newTrace();
    const myFunc = Proliferate.trace(function myFunc(x: number) {
      Proliferate.updateCurrentTrace({ tags: { fruit: 'apple' } });
      ids.my_func = Proliferate.getActiveSpan()!.traceId;
      return x + 1;
    });
    assert.equal(myFunc(5), 6);
  });
  for (const r of REQUESTS) await processUserRequest(r);
  assert.equal(await Proliferate.flush(5000), true);
});
after(async () => {
  await Proliferate.close(2000);
  await server?.stop();
});

describe('Setting tags on active traces', () => {
  test('JavaScript: updateCurrentTrace tags become the trace tags', async () => {
    // The transaction's environment (the SDK's, here its default) is a trace tag too (issue 19).
    assert.deepEqual(await traceTags(ids.my_func!), { environment: Proliferate.getClient()!.options.environment, fruit: 'apple' });
    const tags = await traceTags(ids.r1!);
    assert.deepEqual(tags, {
      environment: 'production', experiment_variant: 'control', model_version: 'v1.0.0', priority: 'high',
      request_type: 'chat_completion', session_id: 'session_456', sla_tier: 'critical', user_id: 'user_123',
    });
  });

  test('Python: the seed examples as written, update_current_trace tags and metadata', async () => {
    // A project of its own, so the searches below see only the JavaScript requests.
    const project = await api('/api/0/projects/', { body: { name: 'Python seed 004' } });
    const report = lastJsonLine<{ result: number; traces: Record<string, string> }>(
      await runFixture(join(repoRoot, '.venv/bin/python'), ['tests/e2e/fixtures/proliferate_python_seed004.py'], {
        SENTRY_DSN: project.body.dsn, PYTHONPATH: join(repoRoot, 'sdks/python'), ENVIRONMENT: 'python-e2e',
      }, repoRoot),
    );
    assert.equal(report.result, 6);
    const { environment: sdkEnvironment, ...myFuncTags } = await traceTags(report.traces.my_func!);
    assert.deepEqual(myFuncTags, { fruit: 'apple' });
    assert.ok(sdkEnvironment, 'the transaction keeps the SDK environment as a trace tag');
    const { body } = await api(`/api/0/traces/${report.traces.process_user_request}/`);
    assert.equal(body.name, 'process_user_request');
    assert.deepEqual(body.tags, {
      user_id: 'user_py', session_id: 'session_py', environment: 'python-e2e', model_version: '1.0.0',
      request_type: 'chat_completion', priority: 'high',
    });
    assert.deepEqual(body.metadata, { request_chars: '33' });
  });
});

describe('Setting tags on finished traces', () => {
  test('set_trace_tag and delete_trace_tag through the API', async () => {
    await setTraceTag(ids.r2!, 'tag_key', 'tag_value');
    assert.equal((await traceTags(ids.r2!)).tag_key, 'tag_value');
    await setTraceTag(ids.r2!, 'tag_key', 'changed');
    assert.equal((await traceTags(ids.r2!)).tag_key, 'changed');
    assert.equal((await deleteTraceTag(ids.r2!, 'tag_key')).status, 204);
    assert.equal((await traceTags(ids.r2!)).tag_key, undefined);
    const again = await deleteTraceTag(ids.r2!, 'tag_key');
    assert.equal(again.status, 404);
    assert.match(again.body.error.message, /no tag "tag_key"/);
  });

  test('the same from the CLI: proliferate trace tag set / delete', async () => {
    const run = promisify(execFile);
    const cli = (...args: string[]) => run(process.execPath, [cliPath, 'trace', 'tag', ...args, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
    const set = await cli('set', ids.r2!, 'reviewed_by', 'alice');
    assert.deepEqual(JSON.parse(set.stdout), { traceId: ids.r2, projects: [Number(server.projectId)], key: 'reviewed_by', value: 'alice' });
    assert.equal((await traceTags(ids.r2!)).reviewed_by, 'alice');
    await cli('delete', ids.r2!, 'reviewed_by');
    assert.equal((await traceTags(ids.r2!)).reviewed_by, undefined);
    await assert.rejects(cli('set', ids.r2!, 'bad key', 'x'), /invalid tag key "bad key" \(key_invalid_characters\)/);
    const batch = await cli('set', '--filter', "tags.sla_tier = 'critical'", 'escalation', 'tier_1', '--project', server.projectId);
    assert.equal(JSON.parse(batch.stdout).matched, 3);
    assert.deepEqual(requestIds(await searchTraces("tags.escalation = 'tier_1'", { orderBy: 'timestamp_ms ASC' })), ['r1', 'r3', 'r4']);
    await cli('delete', '--filter', "tags.escalation = 'tier_1'", 'escalation', '--project', server.projectId);
    assert.deepEqual(await searchTraces('tags.escalation IS NOT NULL'), []);
  });

  test('keys and values follow the tag rules, with 400s that say which', async () => {
    const put = (key: string, body: unknown) => api(`/api/0/traces/${ids.r2}/tags/${encodeURIComponent(key)}`, { method: 'PUT', body });
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['x'.repeat(33), { value: 'v' }, 'invalid_tag_key', /key_too_long/],
      ['has space', { value: 'v' }, 'invalid_tag_key', /key_invalid_characters/],
      ['ok', { value: 'a\nb' }, 'invalid_tag_value', /value_has_newline/],
      ['ok', { value: 'v'.repeat(201) }, 'invalid_tag_value', /value_too_long/],
      ['ok', { value: '' }, 'invalid_tag_value', /value_empty/],
      ['ok', { value: null }, 'invalid_tag_value', /value_missing/],
      ['ok', { value: { nested: true } }, 'invalid_tag_value', /value_not_scalar/],
      ['ok', {}, 'invalid_body', /"value"/],
    ];
    for (const [key, body, code, message] of cases) {
      const { status, body: answer } = await put(key, body);
      assert.equal(status, 400, `${key} ${JSON.stringify(body)}`);
      assert.equal(answer.error.code, code);
      assert.match(answer.error.message, message);
    }
    // Numbers and booleans become text the same way as event tags.
    assert.equal((await put('score', { value: 0.75 })).body.value, '0.75');
    assert.equal((await put('flag', { value: true })).body.value, 'true');
    assert.equal((await put('service.name', { value: 'chat_api' })).status, 200);
    assert.equal((await api(`/api/0/traces/${'0'.repeat(32)}/tags/x`, { method: 'PUT', body: { value: 'v' } })).status, 404);
    assert.equal((await api('/api/0/traces/not-a-trace/tags/x', { method: 'PUT', body: { value: 'v' } })).status, 400);
    for (const key of ['score', 'flag', 'service.name']) assert.equal((await deleteTraceTag(ids.r2!, key)).status, 204);
  });

  test('batch tagging: every trace of status = ERROR, tagged one by one as the seed does', async () => {
    const traces = await searchTraces("status = 'ERROR'", { maxResults: 100 });
    assert.deepEqual(requestIds(traces).sort(), ['r1', 'r3', 'r6']);
    for (const trace of traces) {
      await setTraceTag(trace.traceId, 'needs_review', 'true');
      await setTraceTag(trace.traceId, 'review_priority', 'high');
    }
    assert.deepEqual(requestIds(await searchTraces("tags.needs_review = 'true'", { orderBy: 'timestamp_ms DESC' })), ['r6', 'r3', 'r1']);
  });

  test('batch tagging in one call: POST .../traces/tags/ with a filter', async () => {
    const { status, body } = await api(`/api/0/projects/${server.projectId}/traces/tags/`, {
      body: { filter: "status = 'ERROR'", set: { triage: 'pending' }, delete: ['review_priority'] },
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.matched, 3);
    const tags = await traceTags(ids.r3!);
    assert.equal(tags.triage, 'pending');
    assert.equal(tags.review_priority, undefined);
    const bad = await api(`/api/0/projects/${server.projectId}/traces/tags/`, { body: { filter: "status = 'ERROR'", set: { 'bad key': 'x' } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_tag_key');
  });

  test('performance analysis tagging: slow traces get a performance_category', async () => {
    const traces = await searchTraces('execution_time_ms > 5000', { maxResults: 50 });
    assert.deepEqual(requestIds(traces).sort(), ['r1', 'r3', 'r4', 'r5']);
    for (const trace of traces) {
      const executionTime = trace.executionTimeMs;
      const performanceTag = executionTime > 10000 ? 'very_slow' : executionTime > 7500 ? 'slow' : 'moderate';
      await setTraceTag(trace.traceId, 'performance_category', performanceTag);
    }
    const category = async (value: string) => requestIds(await searchTraces(`tags.performance_category = '${value}'`, { orderBy: 'timestamp_ms ASC' }));
    assert.deepEqual(await category('very_slow'), ['r3', 'r4']);
    assert.deepEqual(await category('slow'), ['r5']);
    assert.deepEqual(await category('moderate'), ['r1']);
  });
});

describe('Searching and filtering with tags: every filter of seed 004', () => {
  const expectations: Array<[string, string[]]> = [
    ["tags.environment = 'production'", ['r1', 'r2', 'r4', 'r5']],
    ["tags.user_id = 'user_123'", ['r1', 'r2']],
    ["tags.priority = 'high'", ['r1', 'r3', 'r6']],
    [`
        tags.environment = 'production'
        AND status = 'ERROR'
        AND execution_time_ms > 5000
    `, ['r1']],
    ["tags.experiment_variant = 'control'", ['r1', 'r4', 'r6']],
    ["tags.experiment_variant = 'treatment'", ['r2', 'r3', 'r5']],
    [`
        tags.sla_tier = 'critical'
        AND execution_time_ms > 30000
    `, ['r4']],
    ["tags.model_version = 'v1.0.0'", ['r1', 'r4', 'r6']],
    ["tags.model_version = 'v2.0.0'", ['r2', 'r3', 'r5']],
  ];
  for (const [filter, expected] of expectations) {
    test(filter.replace(/\s+/g, ' ').trim(), async () => {
      // myFunc sets no environment tag, but its transaction carries the SDK's environment, which
      // is a trace tag too: it matches when that environment is production (the SDK's default).
      const sdkProduction = Proliferate.getClient()?.options.environment === 'production';
      const wanted = /^tags\.environment = 'production'$/.test(filter.trim()) && sdkProduction ? ['myFunc', ...expected] : expected;
      assert.deepEqual(requestIds(await searchTraces(filter)).sort(), wanted);
    });
  }

  test("tags.needs_review = 'true' ordered by timestamp_ms DESC, tags.session_id ordered ASC", async () => {
    assert.deepEqual(requestIds(await searchTraces("tags.needs_review = 'true'", { orderBy: 'timestamp_ms DESC' })), ['r6', 'r3', 'r1']);
    assert.deepEqual(requestIds(await searchTraces("tags.session_id = 'session_456'", { orderBy: 'timestamp_ms ASC' })), ['r1', 'r2']);
  });

  test('average execution time by model version (analytics and reporting)', async () => {
    const average = (traces: any[]) => traces.reduce((sum, t) => sum + t.executionTimeMs, 0) / traces.length;
    assert.equal(average(await searchTraces("tags.model_version = 'v1.0.0'")), (6000 + 35000 + 500) / 3);
    assert.equal(average(await searchTraces("tags.model_version = 'v2.0.0'")), (2000 + 12000 + 8000) / 3);
  });

  test('pages: max_results and the next-page token from the Link header', async () => {
    const first = await fetch(`${server.url}/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent("tags.request_type = 'chat_completion'")}&max_results=4&order_by=timestamp_ms%20ASC`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const token = first.headers.get('x-next-cursor');
    assert.ok(token);
    assert.match(first.headers.get('link')!, /rel="next"/);
    const firstIds = requestIds(await first.json());
    const { body: rest } = await api(`/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent("tags.request_type = 'chat_completion'")}&max_results=4&order_by=timestamp_ms%20ASC&page_token=${token}`);
    assert.deepEqual([...firstIds, ...requestIds(rest)], ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  test('a bad filter is a 400 that names the problem and its position', async () => {
    const { status, body } = await api(`/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent("tags.environment = 'production' AND")}`);
    assert.equal(status, 400);
    assert.equal(body.error.code, 'invalid_query');
    assert.equal(body.error.position, 35, 'the end of the filter');
    assert.match(body.error.message, /expected a field/);
    const order = await api(`/api/0/projects/${server.projectId}/traces/?order_by=${encodeURIComponent('timestamp_ms; DROP TABLE traces')}`);
    assert.equal(order.status, 400);
    const token = await api(`/api/0/projects/${server.projectId}/traces/?page_token=garbage`);
    assert.equal(token.status, 400);
    assert.equal(token.body.error.code, 'invalid_page_token');
  });

  test('a token scoped to another project sees no trace', async () => {
    const project = await api('/api/0/projects/', { body: { name: 'Other' } });
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [cliPath, 'token', 'create', '--project', String(project.body.id), '--data-dir', server.dataDir], {
      env: { ...process.env, ...server.storeEnv },
    });
    const token = stdout.trim();
    assert.equal((await api(`/api/0/traces/${ids.r1}/`, { token })).status, 404);
    assert.equal((await api(`/api/0/traces/${ids.r1}/tags/x`, { method: 'PUT', body: { value: 'v' }, token })).status, 404);
    assert.equal((await api(`/api/0/projects/${server.projectId}/traces/`, { token })).status, 404);
    assert.deepEqual((await api(`/api/0/projects/${project.body.id}/traces/`, { token })).body, []);
  });
});
