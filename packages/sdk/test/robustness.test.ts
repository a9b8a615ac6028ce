/** The SDK never throws into the host application, whatever it is given. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Proliferate from '../src/core/index.js';
import { initClient } from '../src/core/index.js';
import { recordingClient } from './helpers.js';

const hostile: unknown[] = [
  undefined,
  null,
  Symbol('s'),
  42n,
  'text',
  () => {},
  Object.create(null),
  new Proxy({}, { ownKeys: () => { throw new Error('proxy trap'); }, get: () => { throw new Error('proxy get'); } }),
  { get message(): string { throw new Error('getter'); } },
];

test('before init every call works and sends nothing', async () => {
  assert.equal(Proliferate.captureException(new Error('x')), '');
  assert.equal(Proliferate.captureMessage('x'), '');
  Proliferate.setTag('a', 'b');
  assert.equal(await Proliferate.flush(10), true);
  assert.equal(await Proliferate.close(10), true);
  assert.match(Proliferate.getTraceId(), /^[0-9a-f]{32}$/);
});

test('hostile arguments to every setter and capture call never throw', async () => {
  const recorded = recordingClient({ beforeBreadcrumb: () => { throw new Error('bad hook'); } });
  for (const value of hostile) {
    assert.doesNotThrow(() => {
      Proliferate.setTag(value as string, value);
      Proliferate.setTags(value as Record<string, unknown>);
      Proliferate.setContext(String(typeof value), value as Record<string, unknown>);
      Proliferate.setExtra('v', value);
      Proliferate.setExtras(value as Record<string, unknown>);
      Proliferate.setUser(value as Proliferate.User);
      Proliferate.setAccount(value as Proliferate.Account);
      Proliferate.addBreadcrumb(value as Proliferate.Breadcrumb);
      Proliferate.captureException(value, value as Proliferate.CaptureContext);
      Proliferate.captureMessage(value as string, value as Proliferate.Level);
      Proliferate.withScope((scope) => scope.setTags(value as Record<string, unknown>));
    }, `with ${String(typeof value)}`);
  }
  assert.equal(await Proliferate.flush(2000), true);
  assert.ok(recorded.events().length >= hostile.length, 'the events were still sent');
});

test('a transport that throws, and an unusable dsn, do not reach the caller', async () => {
  initClient(
    { dsn: 'http://pk@127.0.0.1:9/1', transport: () => ({ send() { throw new Error('broken transport'); }, flush: async () => true }) },
    { platform: 'node', makeTransport: () => { throw new Error('unused'); }, sessionId: () => 's' },
    [],
  );
  assert.doesNotThrow(() => Proliferate.captureException(new Error('x')));
  assert.equal(await Proliferate.flush(1000), true);
  const client = initClient({ dsn: 'not a dsn' }, { platform: 'node', makeTransport: () => { throw new Error('unused'); }, sessionId: () => 's' }, []);
  assert.equal(client?.isEnabled(), false);
  assert.doesNotThrow(() => Proliferate.captureException(new Error('y')));
});
