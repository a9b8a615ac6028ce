/**
 * Spans and logs against the real server: the transaction and log items the SDK sends are accepted
 * (2xx), errors, transactions and logs of one request share its trace id, and the server's trace
 * view shows the spans, trace tags and metadata, the error and the logs together.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import * as Proliferate from '../src/node/index.js';
import { issueEvents, issueWithCount, waitFor } from './e2e-helpers.js';

let server: RunningServer;
const responses: Array<{ types: string[]; status: number; traceHeader?: string }> = [];

before(async () => {
  server = await startServer();
  Proliferate.init({
    dsn: server.dsn,
    tracesSampleRate: 1,
    enableLogs: true,
    // The real request, recorded: which item types went out and what the server answered.
    transport: (options) =>
      Proliferate.createTransport(options, async ({ body }) => {
        const text = new TextDecoder().decode(body);
        const lines = text.split('\n');
        const types = lines.filter((line) => line.startsWith('{"type"') || /"type":"[a-z_]+","length"/.test(line)).map((line) => JSON.parse(line).type as string);
        const header = JSON.parse(lines[0]!) as { trace?: { trace_id?: string } };
        const response = await fetch(options.url, { method: 'POST', body });
        responses.push({ types, status: response.status, traceHeader: header.trace?.trace_id });
        return { statusCode: response.status, headers: {} };
      }),
  });
});

after(async () => {
  await Proliferate.close(2000);
  await server?.stop();
});

test('a traced request sends a transaction, logs and an error that all carry the same trace id, and the server accepts each', async () => {
  let traceId = '';
  await Proliferate.withIsolationScope(async (scope) => {
    scope.newTrace();
    await Proliferate.startSpan({ op: 'http.server', name: 'POST /chat' }, async () => {
      traceId = Proliferate.getTraceId();
      Proliferate.updateCurrentTrace({ tags: { model_version: 'v2', environment_kind: 'prod' }, metadata: { prompt_chars: 42 } });
      Proliferate.logger.info('prompt received', { prompt_tokens: 12 });
      await Proliferate.startSpan({ op: 'db.query', name: 'load history' }, (span) => span.setData('db.rows_returned', 3));
      Proliferate.captureException(new Error('model timed out'));
      Proliferate.logger.error('answer failed');
    });
  });
  assert.equal(await Proliferate.flush(5000), true);

  const sent = responses.flatMap((r) => r.types.map((type) => ({ type, status: r.status, trace: r.traceHeader })));
  for (const type of ['event', 'transaction', 'log']) {
    const item = sent.find((s) => s.type === type);
    assert.ok(item, `a ${type} item was sent`);
    assert.ok(item.status >= 200 && item.status < 300, `the server accepted the ${type} item (${item.status})`);
    assert.equal(item.trace, traceId, `the ${type} envelope names the trace`);
  }
  const issue = await issueWithCount(server, 'model timed out', 1);
  const [event] = await issueEvents(server, issue.id);
  assert.equal(event!.traceId, traceId);

  // the server's trace view: spans, trace tags, the error and the logs, all joined by the trace id
  const trace = await waitFor('the trace', async () => {
    const { status, body } = await server.api<any>(`/api/0/traces/${traceId}/`);
    return status === 200 && body.logs?.length === 2 && body.errors?.length === 1 ? body : undefined;
  });
  assert.equal(trace.name, 'POST /chat');
  // the transaction's environment is a trace tag too (compare counts per environment)
  assert.deepEqual(trace.tags, { model_version: 'v2', environment_kind: 'prod', environment: Proliferate.getClient()!.options.environment });
  assert.equal(String(trace.metadata.prompt_chars), '42'); // the server keeps metadata as text
  const [root] = trace.spans;
  assert.equal(root.op, 'http.server');
  assert.equal(root.children[0].name, 'load history');
  assert.deepEqual(root.children[0].data, { 'db.rows_returned': 3 });
  assert.equal(trace.errors[0].eventId, event!.eventId);
  assert.deepEqual(trace.logs.map((l: { body: string }) => l.body), ['prompt received', 'answer failed']);
  assert.equal(trace.logs[0].spanId, root.spanId, 'a log inside a span names it');
  assert.equal(trace.logs[0].attributes.prompt_tokens, 12);
});
