import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  addBreadcrumb,
  captureException,
  flush,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  lastEventId,
  Scope,
  setTag,
  setUser,
  withIsolationScope,
  withScope,
} from '../src/core/index.js';
import { mergeScopeData } from '../src/core/scope.js';
import { recordingClient } from './helpers.js';

describe('Scope', () => {
  test('setters chain and clone() isolates the copy from the original', () => {
    const scope = new Scope().setTag('tier', 'free').setExtra('n', 1).setContext('app', { v: 1 }).setUser({ id: '1' });
    const copy = scope.clone().setTag('tier', 'enterprise').setExtra('n', 2);
    copy.setContext('app', null);
    assert.equal(scope.tags.tier, 'free');
    assert.equal(scope.extra.n, 1);
    assert.deepEqual(scope.contexts.app, { v: 1 });
    assert.equal(copy.tags.tier, 'enterprise');
    assert.equal(copy.contexts.app, undefined);
  });

  test('an invalid tag is dropped, not altered, and non-string values become strings', () => {
    const scope = new Scope()
      .setTag('has space', 'x')
      .setTag('multi', 'a\nb')
      .setTag('retries', 3)
      .setTag('flag_on', true)
      .setTag('k'.repeat(33), 'v');
    assert.deepEqual(scope.tags, { retries: '3', flag_on: 'true' });
  });

  test('breadcrumbs are capped at 50 by default (seed 002)', () => {
    const scope = new Scope();
    for (let i = 0; i < 60; i++) scope.addBreadcrumb({ message: `b${i}` });
    assert.equal(scope.breadcrumbs.length, 50);
    assert.equal(scope.breadcrumbs[0]!.message, 'b10');
  });

  test('merge order is global, then isolation, then current', () => {
    const global = new Scope().setTag('a', 'global').setTag('b', 'global').setTag('c', 'global');
    const isolation = new Scope().setTag('b', 'isolation').setTag('c', 'isolation');
    const current = new Scope().setTag('c', 'current');
    const merged = mergeScopeData([global, isolation, current], 50);
    assert.deepEqual(merged.tags, { a: 'global', b: 'isolation', c: 'current' });
  });
});

describe('scopes in events', () => {
  beforeEach(() => {
    getGlobalScope().clear();
    getIsolationScope().clear();
    getCurrentScope().clear();
  });

  test('captureException carries global, isolation, current and per-call tags, later ones winning', async () => {
    const recorded = recordingClient();
    getGlobalScope().setTag('service', 'payment-api').setTag('tier', 'global');
    setTag('tier', 'isolation');
    withScope((scope) => {
      scope.setTag('step', 'charge');
      captureException(new Error('declined'), { tags: { flag_new_checkout: true }, extra: { order: 7 } });
    });
    await flush(1000);
    const [event] = recorded.events();
    assert.deepEqual(event!.tags, { service: 'payment-api', tier: 'isolation', step: 'charge', flag_new_checkout: 'true' });
    assert.equal(event!.extra!.order, 7);
    assert.equal(lastEventId(), event!.event_id);
  });

  test('withScope changes end with the callback', async () => {
    const recorded = recordingClient();
    withScope((scope) => scope.setTag('inside', 'yes'));
    captureException(new Error('after'));
    await flush(1000);
    assert.equal(recorded.events()[0]!.tags!.inside, undefined);
  });

  test('withIsolationScope keeps a request user and tags out of later events', async () => {
    const recorded = recordingClient();
    setTag('service', 'api');
    withIsolationScope(() => {
      setTag('endpoint', '/checkout');
      setUser({ id: '42' });
      addBreadcrumb({ message: 'in request' });
      captureException(new Error('in request'));
    });
    captureException(new Error('outside'));
    await flush(1000);
    const [inside, outside] = recorded.events();
    assert.deepEqual(inside!.tags, { service: 'api', endpoint: '/checkout' });
    assert.equal(inside!.user!.id, '42');
    assert.equal(inside!.breadcrumbs!.at(-1)!.message, 'in request');
    assert.deepEqual(outside!.tags, { service: 'api' });
    assert.equal(outside!.user, undefined);
    assert.equal(outside!.breadcrumbs, undefined);
  });

  test('events carry trace, session and window ids and the environment', async () => {
    const recorded = recordingClient({ environment: 'staging', release: 'abc123' });
    captureException(new TypeError('x'));
    await flush(1000);
    const event = recorded.events()[0]!;
    assert.match(String(event.contexts!.trace!.trace_id), /^[0-9a-f]{32}$/);
    assert.deepEqual(event.contexts!.session, { id: 'session-test', window_id: 'window-test' });
    assert.equal(event.environment, 'staging');
    assert.equal(event.release, 'abc123');
    assert.equal(event.exception!.values[0]!.type, 'TypeError');
  });

  test('sensitive keys are scrubbed from extra, contexts and breadcrumb data', async () => {
    const recorded = recordingClient();
    captureException(new Error('x'), {
      extra: { password: 'hunter2', apiKey: 'k', ok: 1, nested: { card_number: '4242' } },
      contexts: { payment: { token: 't', amount: 5 } },
    });
    addBreadcrumb({ category: 'http', data: { url: 'https://x.test/p?token=abc&q=1', secret: 's' } });
    captureException(new Error('y'));
    await flush(1000);
    const [first, second] = recorded.events();
    assert.deepEqual(first!.extra, { password: '[Filtered]', apiKey: '[Filtered]', ok: 1, nested: { card_number: '[Filtered]' } });
    assert.deepEqual(first!.contexts!.payment, { token: '[Filtered]', amount: 5 });
    const crumb = second!.breadcrumbs!.at(-1)!;
    assert.equal(crumb.data!.url, 'https://x.test/p?token=[Filtered]&q=1');
    assert.equal(crumb.data!.secret, '[Filtered]');
  });

  test('beforeSend can drop or change events, and sampleRate 0 sends nothing', async () => {
    const dropped = recordingClient({ beforeSend: (event) => (event.exception!.values[0]!.value === 'drop' ? null : { ...event, tags: { ...event.tags, seen: 'yes' } }) });
    captureException(new Error('drop'));
    captureException(new Error('keep'));
    await flush(1000);
    assert.equal(dropped.events().length, 1);
    assert.equal(dropped.events()[0]!.tags!.seen, 'yes');
    const sampled = recordingClient({ sampleRate: 0 });
    captureException(new Error('x'));
    await flush(1000);
    assert.equal(sampled.events().length, 0);
  });

  test('a throwing beforeSend or integration never reaches the caller', async () => {
    const recorded = recordingClient({ beforeSend: () => { throw new Error('bug in beforeSend'); } }, [
      { name: 'broken', processEvent: () => { throw new Error('bug in integration'); } },
    ]);
    assert.doesNotThrow(() => captureException(new Error('x')));
    await flush(1000);
    assert.equal(recorded.events().length, 1);
  });

  test('an error reaching two automatic handlers is reported once; explicit captures always report', async () => {
    const recorded = recordingClient();
    const error = new Error('escaped');
    recorded.client.captureException(error, { mechanism: { type: 'express', handled: false } });
    recorded.client.captureException(error, { mechanism: { type: 'onunhandledrejection', handled: false } });
    captureException(error);
    await flush(1000);
    assert.equal(recorded.events().length, 2);
  });
});
