import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from './normalize.js';
import { digestEvent } from './digest.js';

const ctx = { receivedMs: Date.UTC(2026, 10, 21, 12, 0, 0), clientIp: '203.0.113.9' };

test('timestamps as float seconds, integer seconds, ISO strings and numeric strings agree', () => {
  const expected = Date.UTC(2026, 10, 21, 11, 59, 30, 250);
  for (const timestamp of [expected / 1000, '2026-11-21T11:59:30.250Z', '2026-11-21T11:59:30.250', String(expected / 1000), expected]) {
    assert.equal(normalizeEvent({ timestamp }, ctx).timestamp, expected, `for ${JSON.stringify(timestamp)}`);
  }
  assert.equal(normalizeEvent({ timestamp: Math.floor(expected / 1000) }, ctx).timestamp, expected - 250);
});

test('a missing or unreadable timestamp falls back to the receive time and says so', () => {
  assert.equal(normalizeEvent({}, ctx).timestamp, ctx.receivedMs);
  const bad = normalizeEvent({ timestamp: 'yesterday' }, ctx);
  assert.equal(bad.timestamp, ctx.receivedMs);
  assert.deepEqual(bad.processingErrors.map((e) => e.type), ['invalid_timestamp']);
  const future = normalizeEvent({ timestamp: ctx.receivedMs / 1000 + 86_400 }, ctx);
  assert.equal(future.processingErrors[0]?.type, 'clock_drift');
});

test('breadcrumbs arrive as an array or as {values}, and keep at most 100, the newest', () => {
  const crumbs = Array.from({ length: 120 }, (_, i) => ({ message: `step ${i}`, category: 'ui', level: 'warn', timestamp: 1763726400 + i }));
  const fromArray = normalizeEvent({ breadcrumbs: crumbs }, ctx).breadcrumbs;
  const fromValues = normalizeEvent({ breadcrumbs: { values: crumbs } }, ctx).breadcrumbs;
  assert.deepEqual(fromArray, fromValues);
  assert.equal(fromArray.length, 100);
  assert.equal(fromArray[99]?.message, 'step 119');
  assert.equal(fromArray[0]?.level, 'warning');
});

test('tags as an object or as [key, value] pairs, numbers and booleans become strings', () => {
  const a = normalizeEvent({ tags: { retries: 3, 'command.success': true } }, ctx).tags;
  const b = normalizeEvent({ tags: [['retries', 3], ['command.success', true]] }, ctx).tags;
  assert.deepEqual(a, b);
  assert.equal(a.retries, '3');
  assert.equal(a['command.success'], 'true');
});

test('invalid tags are dropped and recorded as processing errors', () => {
  const event = normalizeEvent({ tags: { 'has space': 'x', ok: 'fine', long: 'y'.repeat(201), nl: 'a\nb' } }, ctx);
  assert.deepEqual(Object.keys(event.tags).sort(), ['level', 'ok']);
  assert.deepEqual(event.processingErrors.map((e) => [e.key, e.reason]).sort(), [
    ['has space', 'key_invalid_characters'],
    ['long', 'value_too_long'],
    ['nl', 'value_has_newline'],
  ]);
});

test('explicit nulls everywhere are treated as absent', () => {
  const event = normalizeEvent(
    { event_id: null, timestamp: null, level: null, user: null, tags: null, contexts: null, extra: null, breadcrumbs: null, exception: null, release: null, environment: null },
    ctx,
  );
  assert.match(event.eventId, /^[0-9a-f]{32}$/);
  assert.equal(event.user, null);
  assert.deepEqual(event.breadcrumbs, []);
  assert.equal(event.release, undefined);
  assert.deepEqual(event.processingErrors, []);
});

test('{{auto}} IP address becomes the sender address', () => {
  assert.equal(normalizeEvent({ user: { id: 7, ip_address: '{{auto}}' } }, ctx).user?.ip_address, '203.0.113.9');
  assert.equal(normalizeEvent({ user: { id: 7 } }, ctx).user?.id, '7');
});

test('sdk.settings.infer_ip "auto" (current JavaScript SDKs) sets the sender address; "never" beats {{auto}}', () => {
  const sdk = (infer_ip: string) => ({ name: 'sentry.javascript.browser', settings: { infer_ip } });
  assert.equal(normalizeEvent({ sdk: sdk('auto'), user: { id: 'u1' } }, ctx).user?.ip_address, '203.0.113.9');
  assert.deepEqual(normalizeEvent({ sdk: sdk('auto') }, ctx).user, { ip_address: '203.0.113.9' });
  assert.equal(normalizeEvent({ sdk: sdk('auto'), user: { ip_address: '198.51.100.1' } }, ctx).user?.ip_address, '198.51.100.1');
  assert.equal(normalizeEvent({ sdk: sdk('never'), user: { id: 'u1', ip_address: '{{auto}}' } }, ctx).user?.ip_address, undefined);
  assert.equal(normalizeEvent({ user: { id: 'u1' } }, ctx).user?.ip_address, undefined);
  assert.equal(normalizeEvent({ sdk: sdk('never') }, ctx).user, null);
});

test('the account comes from a top-level account, else from contexts.account', () => {
  assert.deepEqual(normalizeEvent({ account: { id: 'acme', name: 'Acme Corp' } }, ctx).account, { id: 'acme', name: 'Acme Corp' });
  assert.deepEqual(normalizeEvent({ contexts: { account: { id: 42, name: 'Acme Corp' } } }, ctx).account, { id: '42', name: 'Acme Corp' });
});

test('environment, release and level become tags; an event field beats a conflicting tag, visibly', () => {
  const event = normalizeEvent({ environment: 'production', release: 'web@1.2.3', level: 'warning', tags: { environment: 'staging' } }, ctx);
  assert.equal(event.tags.environment, 'production');
  assert.equal(event.tags.release, 'web@1.2.3');
  assert.equal(event.tags.level, 'warning');
  assert.deepEqual(event.processingErrors, [{ type: 'tag_reserved', key: 'environment', value: 'staging' }]);
  assert.equal(normalizeEvent({ tags: { environment: 'staging' } }, ctx).environment, 'staging');
});

test('trace id comes from contexts.trace, else from the envelope header; session and window ids are read', () => {
  const traceId = 'a'.repeat(32);
  assert.equal(normalizeEvent({ contexts: { trace: { trace_id: traceId, span_id: 'b'.repeat(16) } } }, ctx).traceId, traceId);
  assert.equal(normalizeEvent({}, { ...ctx, envelopeTrace: { trace_id: traceId } }).traceId, traceId);
  const ids = normalizeEvent({ contexts: { session: { id: 's-1', window_id: 'w-1' } } }, ctx);
  assert.deepEqual([ids.sessionId, ids.windowId], ['s-1', 'w-1']);
});

test('event ids with dashes are accepted; an invalid one is replaced and reported', () => {
  assert.equal(normalizeEvent({ event_id: '9EC79C33-EC99-42AB-8353-589FCB2E04DC' }, ctx).eventId, '9ec79c33ec9942ab8353589fcb2e04dc');
  const bad = normalizeEvent({ event_id: 'nope' }, ctx);
  assert.match(bad.eventId, /^[0-9a-f]{32}$/);
  assert.equal(bad.processingErrors[0]?.type, 'invalid_event_id');
});

test('a message with a type-less synthetic exception (@sentry/node 11) is a message issue', () => {
  const digested = digestEvent(
    { message: 'cache miss storm', level: 'info', exception: { values: [{ value: 'cache miss storm', stacktrace: { frames: [{ function: 'tick', filename: 'w.js' }] } }] } },
    1,
    ctx,
  );
  assert.equal(digested.type, 'message');
  assert.equal(digested.title, 'cache miss storm');
  assert.equal(digested.level, 'info');
});

test('huge and deep values are bounded', () => {
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 50; i++) deep = deep.next = {} as Record<string, unknown>;
  const event = normalizeEvent({ extra: { root, big: 'x'.repeat(100_000), list: Array.from({ length: 1000 }, (_, i) => i) } }, ctx);
  const json = JSON.stringify(event.extra);
  assert.ok(json.length < 10_000, `extra is ${json.length} characters`);
  assert.ok(json.includes('[depth limit]'));
});

test('title and culprit: exception type and value, nearest in-app frame', () => {
  const digested = digestEvent(
    {
      exception: {
        values: [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'id')\n    at x", stacktrace: { frames: [
          { function: 'checkout', filename: 'src/app.js', in_app: true },
          { function: 'internal', filename: 'node_modules/lib/index.js', in_app: false },
        ] } }],
      },
    },
    1,
    ctx,
  );
  assert.equal(digested.title, "TypeError: Cannot read properties of undefined (reading 'id')");
  assert.equal(digested.culprit, 'checkout (src/app.js)');
});
