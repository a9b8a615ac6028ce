import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuerySyntaxError, type SearchExpr, type SearchPredicate } from '../query/ast.js';
import { parseSearch } from '../query/issue-search.js';
import { attributeFilter, tagMatch, wildcardToLike } from './search-fields.js';

const predicate = (query: string): SearchPredicate => {
  const expr = parseSearch(query) as SearchExpr;
  assert.equal(expr.kind, 'predicate');
  return expr as SearchPredicate;
};
const field = (p: SearchPredicate) => (p.field.type === 'tag' ? p.field.key : p.field.name);

test('a wildcard search becomes a LIKE pattern with LIKE\'s own specials escaped', () => {
  assert.equal(wildcardToLike('1.2.*'), '1.2.%');
  assert.equal(wildcardToLike('50%_off\\*'), '50\\%\\_off\\\\%');
});

test('tag predicates select values by equality, list, wildcard or presence, the same for every backend', () => {
  assert.deepEqual(tagMatch(predicate('tier:pro')), { kind: 'in', values: ['pro'] });
  assert.deepEqual(tagMatch(predicate('tier:[pro, free]')), { kind: 'in', values: ['pro', 'free'] });
  assert.deepEqual(tagMatch(predicate('release:1.2.*')), { kind: 'like', pattern: '1.2.%' });
  assert.deepEqual(tagMatch(predicate('has:tier')), { kind: 'exists' });
});

test('built-in fields: issue conditions, event-only columns, and the searches refused with the reason', () => {
  const times = predicate('times_seen:>10');
  assert.deepEqual(attributeFilter(times, field(times), 'issues'), { kind: 'issue-column', column: 'count', op: '>', value: 10 });
  const status = predicate('is:unresolved');
  assert.deepEqual(attributeFilter(status, field(status), 'events'), { kind: 'status', statuses: ['unresolved'] });
  const issueId: SearchPredicate = { kind: 'predicate', field: { type: 'attribute', name: 'issue_id' }, op: '=', values: [7], position: 0 } as SearchPredicate;
  assert.deepEqual(attributeFilter(issueId, 'issue_id', 'events'), { kind: 'event-column', column: 'issue_id', op: '=', value: 7 });
  assert.throws(() => attributeFilter(issueId, 'issue_id', 'issues'), (e: Error) => e instanceof QuerySyntaxError && /issue_id filters events/.test(e.message));
  const glob = { ...issueId, op: 'glob', values: ['x*'] } as SearchPredicate;
  assert.throws(() => attributeFilter(glob, 'user_count', 'issues'), /"user_count" cannot be compared with "glob"/);
  assert.throws(() => attributeFilter(issueId, 'bogus', 'events'), /"bogus" is not searchable here/);
  assert.throws(() => tagMatch({ ...predicate('tier:pro'), op: '>' } as SearchPredicate), /tags cannot be compared with ">"/);
});
