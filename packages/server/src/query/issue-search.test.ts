import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../errors.js';
import { parseIssueSearch } from './issue-search.js';

test('tag filters, status, negation, wildcards and free text', () => {
  assert.deepEqual(parseIssueSearch('tier:enterprise !environment:staging is:unresolved release:1.2.* payment declined'), [
    { kind: 'tag', key: 'tier', values: ['enterprise'], wildcard: false, negate: false },
    { kind: 'tag', key: 'environment', values: ['staging'], wildcard: false, negate: true },
    { kind: 'status', status: 'unresolved', negate: false },
    { kind: 'tag', key: 'release', values: ['1.2.*'], wildcard: true, negate: false },
    { kind: 'text', text: 'payment declined' },
  ]);
});

test('quoted values keep spaces and escaped quotes', () => {
  assert.deepEqual(parseIssueSearch('account:"Acme \\"Corp\\" Ltd"'), [
    { kind: 'tag', key: 'account', values: ['Acme "Corp" Ltd'], wildcard: false, negate: false },
  ]);
});

test('syntax errors are 400 invalid_query with the character position', () => {
  for (const [query, position] of [['tier:"open', 6], ['is:sleeping', 1], ['tier:', 1], ['x tier:a !bare', 10]] as const) {
    assert.throws(
      () => parseIssueSearch(query),
      (error: unknown) => error instanceof HttpError && error.status === 400 && error.code === 'invalid_query' && error.message.includes(`character ${position}`),
      query,
    );
  }
});

test('SQL-looking input is just an odd value', () => {
  assert.deepEqual(parseIssueSearch("tier:'; DROP TABLE issues; --"), [
    { kind: 'tag', key: 'tier', values: ["';"], wildcard: false, negate: false },
    { kind: 'text', text: 'DROP TABLE issues; --' },
  ]);
});
