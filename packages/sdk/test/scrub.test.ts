import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SENSITIVE_KEY, keyMatcher, normalize, scrubHeaders, stripUrlSecrets } from '../src/core/scrub.js';

test('the issue list of sensitive keys is filtered, in any spelling', () => {
  for (const key of ['password', 'user_password', 'passwd', 'secret', 'client_secret', 'token', 'access_token', 'refreshToken', 'api_key', 'apiKey', 'X-Api-Key', 'authorization', 'auth', 'oauth_state', 'cookie', 'Set-Cookie', 'card_number', 'creditCard', 'cvv', 'ssn', 'private_key', 'session_id', 'csrf_token']) {
    assert.ok(DEFAULT_SENSITIVE_KEY.test(key), `${key} is sensitive`);
  }
});

test('ordinary keys that merely contain those words are kept', () => {
  for (const key of ['prompt_tokens', 'max_tokens', 'tokenizer', 'author', 'discard', 'cardinality', 'dashboard_cards', 'classname', 'passenger', 'compass', 'order_id', 'tier']) {
    assert.ok(!DEFAULT_SENSITIVE_KEY.test(key), `${key} is not sensitive`);
  }
});

test('scrubKeys adds names and scrubDefaults: false turns the built-in list off', () => {
  const custom = keyMatcher(['tenant_email', /^internal_/], false);
  assert.deepEqual(normalize({ tenant_email: 'a@b.c', internal_note: 'x', password: 'kept' }, custom), { tenant_email: '[Filtered]', internal_note: '[Filtered]', password: 'kept' });
});

test('normalize survives cycles, depth, errors, bigints and functions', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.deepEqual(normalize({ cyclic, big: 10n, fn: function named() {}, err: new RangeError('r'), u: undefined }, null), {
    cyclic: { a: 1, self: '[circular]' },
    big: '10',
    fn: '[function named]',
    err: 'RangeError: r',
    u: null,
  });
  assert.deepEqual(normalize({ a: { b: { c: 1 } } }, null, 2), { a: { b: '[object]' } });
});

test('request headers never carry cookies or authorization, and URLs lose their secrets', () => {
  const sensitive = keyMatcher(undefined, true);
  assert.deepEqual(scrubHeaders({ Cookie: 'sid=1', Authorization: 'Bearer x', 'X-Api-Key': 'k', Accept: 'text/html' }, sensitive), {
    'x-api-key': '[Filtered]',
    accept: 'text/html',
  });
  assert.equal(stripUrlSecrets('https://user:pw@shop.test/cart?token=abc&q=shoes#top'), 'https://shop.test/cart?token=[Filtered]&q=shoes#top');
  assert.equal(stripUrlSecrets('/relative?api_key=1'), '/relative?api_key=[Filtered]');
});
