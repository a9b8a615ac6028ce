import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  captureException,
  flush,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  getTraceId,
  logger,
  startSpan,
  trace,
  updateCurrentTrace,
  withIsolationScope,
  type Event,
} from '../src/core/index.js';
import { recordingClient } from './helpers.js';

interface LogPayload {
  items: Array<{ level: string; body: string; trace_id: string; attributes: Record<string, { value: unknown; type: string }> }>;
}

beforeEach(() => {
  getGlobalScope().clear();
  getIsolationScope().clear();
  getCurrentScope().clear();
});

describe('spans', () => {
  test('a root span with a child goes out as one transaction with span data and trace tags', async () => {
    const recorded = recordingClient({ tracesSampleRate: 1 });
    getGlobalScope().setTag('service', 'chat-api');
    const result = await startSpan({ op: 'http.server', name: 'POST /chat' }, async (root) => {
      updateCurrentTrace({ tags: { model_version: 'v2.1.0', 'bad key': 'x' }, metadata: { prompt_tokens: 12 } });
      await startSpan({ op: 'db.query', name: 'Fetch User' }, async (span) => {
        span.setData('db.table', 'users').setData('db.rows_returned', 1);
      });
      root.setData('http.status_code', 200);
      return 'done';
    });
    assert.equal(result, 'done');
    await flush(1000);
    const [transaction] = recorded.items<Event>('transaction');
    assert.ok(transaction);
    assert.equal(transaction.type, 'transaction');
    assert.equal(transaction.transaction, 'POST /chat');
    assert.deepEqual(transaction.tags, { service: 'chat-api', model_version: 'v2.1.0' });
    const traceContext = transaction.contexts!.trace!;
    assert.equal(traceContext.op, 'http.server');
    assert.equal(traceContext.status, 'ok');
    assert.deepEqual(traceContext.data, { 'http.status_code': 200 });
    assert.deepEqual(transaction.contexts!.metadata, { prompt_tokens: 12 });
    const spans = transaction.spans as Array<Record<string, unknown>>;
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.description, 'Fetch User');
    assert.equal(spans[0]!.parent_span_id, traceContext.span_id);
    assert.deepEqual(spans[0]!.data, { 'db.table': 'users', 'db.rows_returned': 1 });
    assert.ok((transaction.timestamp as number) >= (transaction.start_timestamp as number));
  });

  test('an error inside a span carries the span trace id; a throw marks the span internal_error', async () => {
    const recorded = recordingClient({ tracesSampleRate: 1 });
    assert.throws(() =>
      startSpan({ name: 'checkout' }, () => {
        captureException(new Error('inside'));
        throw new Error('escaped');
      }),
    );
    await flush(1000);
    const [transaction] = recorded.items<Event>('transaction');
    const [event] = recorded.events();
    assert.equal(transaction!.contexts!.trace!.status, 'internal_error');
    assert.equal(event!.contexts!.trace!.trace_id, transaction!.contexts!.trace!.trace_id);
    assert.equal(event!.contexts!.trace!.span_id, transaction!.contexts!.trace!.span_id);
  });

  test('trace() wraps a function in a span named after it', async () => {
    const recorded = recordingClient({ tracesSampleRate: 1 });
    const add = trace(function addNumbers(a: number, b: number) {
      return a + b;
    });
    assert.equal(add(2, 3), 5);
    await flush(1000);
    assert.equal(recorded.items<Event>('transaction')[0]!.transaction, 'addNumbers');
  });

  test('without tracesSampleRate (or with 0) no transactions are sent but spans still run', async () => {
    for (const options of [{}, { tracesSampleRate: 0 }]) {
      const recorded = recordingClient(options);
      assert.equal(startSpan({ name: 'x' }, () => 42), 42);
      await flush(1000);
      assert.equal(recorded.items('transaction').length, 0);
    }
  });

  test('each isolation scope (request) has its own trace id', () => {
    recordingClient();
    const outside = getTraceId();
    const inside = withIsolationScope((scope) => {
      scope.newTrace();
      return getTraceId();
    });
    assert.notEqual(inside, outside);
    assert.equal(getTraceId(), outside);
  });
});

describe('logs', () => {
  test('without enableLogs, logger calls become breadcrumbs only', async () => {
    const recorded = recordingClient();
    logger.info('only a crumb');
    captureException(new Error('x'));
    await flush(1000);
    assert.equal(recorded.items('log').length, 0);
    assert.equal(recorded.events()[0]!.breadcrumbs!.at(-1)!.message, 'only a crumb');
  });

  test('logger.* sends log items carrying the trace id, attributes, scrubbing, and adds breadcrumbs', async () => {
    const recorded = recordingClient({ release: 'r1', enableLogs: true });
    logger.info('payment started', { order_id: 7, amount: 9.5, api_key: 'secret' });
    logger.warn('slow response');
    captureException(new Error('after logs'));
    await flush(1000);
    const [payload] = recorded.items<LogPayload>('log');
    assert.equal(payload!.items.length, 2);
    const [info, warn] = payload!.items;
    assert.equal(info!.body, 'payment started');
    assert.equal(info!.level, 'info');
    assert.equal(info!.trace_id, getTraceId());
    assert.deepEqual(info!.attributes.order_id, { value: 7, type: 'integer' });
    assert.deepEqual(info!.attributes.amount, { value: 9.5, type: 'double' });
    assert.deepEqual(info!.attributes.api_key, { value: '[Filtered]', type: 'string' });
    assert.deepEqual(info!.attributes['sentry.release'], { value: 'r1', type: 'string' });
    assert.deepEqual(info!.attributes['session.id'], { value: 'session-test', type: 'string' });
    assert.equal(warn!.level, 'warn');
    const event = recorded.events()[0]!;
    assert.equal(event.contexts!.trace!.trace_id, info!.trace_id, 'logs and errors share the trace id');
    assert.deepEqual(event.breadcrumbs!.map((b) => b.message), ['payment started', 'slow response']);
  });
});
