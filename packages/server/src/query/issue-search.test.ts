import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuerySyntaxError, type SearchExpr } from './ast.js';
import { parseSearch } from './issue-search.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const parse = (q: string) => parseSearch(q, NOW);

/** A compact rendering of the AST so expectations read like the query. */
function show(expr: SearchExpr | null): string {
  if (!expr) return '';
  switch (expr.kind) {
    case 'and':
      return `(${expr.items.map(show).join(' & ')})`;
    case 'or':
      return `(${expr.items.map(show).join(' | ')})`;
    case 'not':
      return `!${show(expr.item)}`;
    case 'predicate': {
      const field = expr.field.type === 'tag' ? `tag.${expr.field.key}` : expr.field.name;
      return `${field} ${expr.op} ${JSON.stringify(expr.values)}`;
    }
  }
}

test('PRODUCT.md example: tags, negation, status, booleans as text and wildcards', () => {
  assert.equal(
    show(parse('tier:enterprise !environment:staging is:unresolved flag_new_checkout:true release:1.2.*')),
    '(tag.tier in ["enterprise"] & !tag.environment in ["staging"] & status in ["unresolved"] & tag.flag_new_checkout in ["true"] & tag.release glob ["1.2.*"])',
  );
});

test('AND binds tighter than OR; parentheses override', () => {
  assert.equal(show(parse('a:1 b:2 OR c:3')), '((tag.a in ["1"] & tag.b in ["2"]) | tag.c in ["3"])');
  assert.equal(show(parse('a:1 AND (b:2 OR c:3)')), '(tag.a in ["1"] & (tag.b in ["2"] | tag.c in ["3"]))');
  assert.equal(show(parse('(a:1 OR b:2) (c:3 OR d:4)')), '((tag.a in ["1"] | tag.b in ["2"]) & (tag.c in ["3"] | tag.d in ["4"]))');
});

test('lists, quoted values with escapes, and quoted values are never wildcards', () => {
  assert.equal(show(parse('tier:[free, "pro plan", ent*]')), '(tag.tier in ["free","pro plan"] | tag.tier glob ["ent*"])');
  assert.equal(show(parse('account.name:"Acme \\"Corp\\" \\\\ Ltd"')), 'tag.account.name in ["Acme \\"Corp\\" \\\\ Ltd"]');
  assert.equal(show(parse('release:"1.2.*"')), 'tag.release in ["1.2.*"]');
});

test('built-in fields: has, user and account, error type, message and free text', () => {
  assert.equal(show(parse('has:flag_beta')), 'tag.flag_beta exists []');
  assert.equal(show(parse('!has:user.email')), '!tag.user.email exists []');
  assert.equal(show(parse('user.id:42 account.id:acme error.type:TypeError')), '(tag.user.id in ["42"] & tag.account.id in ["acme"] & tag.error.type in ["TypeError"])');
  assert.equal(show(parse('message:"payment declined" timeout')), '(text contains ["payment declined"] & text contains ["timeout"])');
});

test('comparisons on counts and times, relative and absolute', () => {
  assert.equal(show(parse('times_seen:>100')), 'times_seen > [100]');
  assert.equal(show(parse('user_count:<=3')), 'user_count <= [3]');
  assert.equal(show(parse('lastSeen:-24h')), `last_seen >= [${NOW - 86_400_000}]`);
  assert.equal(show(parse('firstSeen:+7d')), `first_seen < [${NOW - 7 * 86_400_000}]`);
  assert.equal(show(parse('firstSeen:>2026-11-01')), `first_seen > [${Date.UTC(2026, 10, 1)}]`);
  assert.equal(show(parse('lastSeen:2026-11-20')), `(last_seen >= [${Date.UTC(2026, 10, 20)}] & last_seen < [${Date.UTC(2026, 10, 21)}])`);
  assert.equal(show(parse('timestamp:>=2026-11-21T10:00:00')), `timestamp >= [${Date.UTC(2026, 10, 21, 10)}]`);
});

test('an empty or blank query matches everything', () => {
  assert.equal(parse(''), null);
  assert.equal(parse('   '), null);
});

test('syntax errors name the problem and the character position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['tier:"open', 6, /unterminated/],
    ['is:sleeping', 1, /unknown status/],
    ['tier:', 1, /needs a value/],
    ['(a:1 OR b:2', 11, /missing "\)"/],
    ['a:1 )', 5, /unmatched/],
    ['OR a:1', 1, /OR needs/],
    ['a:1 AND', 5, /AND needs/],
    ['times_seen:>lots', 1, /needs a number/],
    ['lastSeen:>yesterday', 1, /not a date/],
    ['tier:[a, b', 6, /unterminated list/],
    ['bad key!:x', 5, /needs a value|not a valid/],
    ['()', 1, /empty parentheses/],
  ];
  for (const [query, position, message] of cases) {
    assert.throws(
      () => parse(query),
      (error: unknown) => error instanceof QuerySyntaxError && error.position === position - 1 && message.test(error.message),
      `${query} should fail at ${position}`,
    );
  }
});

test('hostile input is only odd values', () => {
  assert.equal(show(parse("tier:'; DROP TABLE issues; --")), '(tag.tier in ["\'\;"] & text contains ["DROP"] & text contains ["TABLE"] & text contains ["issues;"] & text contains ["--"])');
  assert.equal(show(parse('tier:"\\" OR 1=1 --"')), 'tag.tier in ["\\" OR 1=1 --"]');
  assert.throws(() => parse('x'.repeat(5000)), QuerySyntaxError);
  assert.throws(() => parse('('.repeat(50)), QuerySyntaxError);
});
