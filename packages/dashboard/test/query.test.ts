import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendToken, filterToken, replaceToken, tokenAt, tokens } from '../src/query.js';

test('a filter token quotes values with spaces, quotes or parentheses', () => {
  assert.equal(filterToken('tier', 'enterprise'), 'tier:enterprise');
  assert.equal(filterToken('region', 'us east'), 'region:"us east"');
  assert.equal(filterToken('msg', 'say "hi"'), 'msg:"say \\"hi\\""');
  assert.equal(filterToken('flag', 'true', true), '!flag:true');
  assert.equal(filterToken('empty', ''), 'empty:""');
});

test('appending a token keeps the query and skips duplicates', () => {
  assert.equal(appendToken('', 'tier:enterprise'), 'tier:enterprise');
  assert.equal(appendToken('  is:regressed ', 'tier:enterprise'), 'is:regressed tier:enterprise');
  assert.equal(appendToken('tier:enterprise', 'tier:enterprise'), 'tier:enterprise');
});

test('tokens split on spaces outside quotes', () => {
  assert.deepEqual(
    tokens('a:1 b:"x y" "free text"').map((t) => t.text),
    ['a:1', 'b:"x y"', '"free text"'],
  );
});

test('the token at the caret gives the key and the typed prefix', () => {
  assert.deepEqual(tokenAt('is:unresolved ti', 16), { start: 14, end: 16, negate: false, key: null, prefix: 'ti' });
  assert.deepEqual(tokenAt('!tier:ent', 9), { start: 0, end: 9, negate: true, key: 'tier', prefix: 'ent' });
  assert.deepEqual(tokenAt('a:1 ', 4), { start: 4, end: 4, negate: false, key: null, prefix: '' });
});

test('taking a suggestion replaces the token and places the caret after it', () => {
  assert.deepEqual(replaceToken('is:unresolved ti', tokenAt('is:unresolved ti', 16), 'tier:'), { query: 'is:unresolved tier:', caret: 19 });
  assert.deepEqual(replaceToken('tier:ent x:1', tokenAt('tier:ent x:1', 8), 'tier:enterprise'), { query: 'tier:enterprise x:1', caret: 16 });
});
