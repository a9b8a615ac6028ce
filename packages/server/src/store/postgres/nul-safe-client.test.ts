import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutNul } from './nul-safe-client.js';

test('a NUL in a bound string becomes U+FFFD; other strings and buffers are the same objects', () => {
  assert.equal(withoutNul('a\u0000b\u0000'), 'a\uFFFDb\uFFFD');
  const plain = ['x', 'y'];
  assert.equal(withoutNul(plain), plain);
  const bytes = Buffer.from([0, 1, 0]);
  assert.equal(withoutNul(bytes), bytes);
  assert.deepEqual(withoutNul(['ok', 'n\u0000', ['deep\u0000']]), ['ok', 'n\uFFFD', ['deep\uFFFD']]);
});

test('a \\u0000 escape in JSON text becomes \\ufffd, but an escaped backslash followed by u0000 stays', () => {
  const json = JSON.stringify({ a: 'x\u0000y', b: '\\u0000' });
  const cleaned = withoutNul(json) as string;
  assert.deepEqual(JSON.parse(cleaned), { a: 'x\uFFFDy', b: '\\u0000' });
});
