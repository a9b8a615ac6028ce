import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuerySyntaxError, type SearchExpr } from './ast.js';
import { parseTraceFilter, parseTraceOrder } from './trace-filter.js';

/** Every filter string of seed 004, as written there. */
export const SEED_004_FILTERS = [
  "status = 'ERROR'",
  'execution_time_ms > 5000',
  "tags.environment = 'production'",
  "tags.user_id = 'user_123'",
  "tags.priority = 'high'",
  `
        tags.environment = 'production'
        AND status = 'ERROR'
        AND execution_time_ms > 5000
    `,
  "tags.needs_review = 'true'",
  "tags.session_id = 'session_456'",
  "tags.experiment_variant = 'control'",
  "tags.experiment_variant = 'treatment'",
  `
        tags.sla_tier = 'critical'
        AND execution_time_ms > 30000
    `,
  "tags.model_version = 'v1.0.0'",
  "tags.model_version = 'v2.0.0'",
];

const strip = (expr: SearchExpr | null): unknown => JSON.parse(JSON.stringify(expr, (k, v) => (k === 'position' ? undefined : v)));
const tag = (key: string, op: string, values: unknown[]) => ({ kind: 'predicate', field: { type: 'tag', key }, op, values });
const attr = (name: string, op: string, values: unknown[]) => ({ kind: 'predicate', field: { type: 'attribute', name }, op, values });

function syntaxError(filter: string, message: RegExp, position?: number) {
  assert.throws(
    () => parseTraceFilter(filter),
    (error: unknown) => {
      assert.ok(error instanceof QuerySyntaxError, `expected a syntax error for ${filter}`);
      assert.match(error.message, message);
      if (position !== undefined) assert.equal(error.position, position, `position for ${filter}`);
      return true;
    },
  );
}

test('every seed 004 filter parses', () => {
  for (const filter of SEED_004_FILTERS) assert.ok(parseTraceFilter(filter), filter);
});

test('the seed 004 combined filter becomes one AND of a tag, the status and a duration', () => {
  assert.deepEqual(strip(parseTraceFilter(SEED_004_FILTERS[5]!)), {
    kind: 'and',
    items: [tag('environment', '=', ['production']), attr('status', '=', ['ERROR']), attr('execution_time_ms', '>', [5000])],
  });
});

test('field aliases: tag. and tags., trace.status, trace.name, backticked dotted keys', () => {
  assert.deepEqual(strip(parseTraceFilter("tag.env = 'a'")), tag('env', '=', ['a']));
  assert.deepEqual(strip(parseTraceFilter('trace.status = "OK"')), attr('status', '=', ['OK']));
  assert.deepEqual(strip(parseTraceFilter("trace.name LIKE 'chat%'")), attr('name', 'like', ['chat%']));
  assert.deepEqual(strip(parseTraceFilter("tags.`service.name` = 'chat_api'")), tag('service.name', '=', ['chat_api']));
  assert.deepEqual(strip(parseTraceFilter("`tags`.`user.plan` = 'premium'")), tag('user.plan', '=', ['premium']));
  assert.deepEqual(strip(parseTraceFilter("metadata.`mlflow.user` = 'x'")), attr('metadata.mlflow.user', '=', ['x']));
  // MLflow's prefixed spellings.
  assert.deepEqual(strip(parseTraceFilter("attributes.status = 'OK'")), attr('status', '=', ['OK']));
  assert.deepEqual(strip(parseTraceFilter('attributes.timestamp_ms > 1749006880539')), attr('timestamp_ms', '>', [1749006880539]));
  assert.deepEqual(strip(parseTraceFilter('trace.timestamp > 5')), attr('timestamp_ms', '>', [5]));
  assert.deepEqual(strip(parseTraceFilter('attributes.execution_time_ms > 5000')), attr('execution_time_ms', '>', [5000]));
  assert.deepEqual(strip(parseTraceFilter("request_id = 'abc'")), attr('trace_id', '=', ['abc']));
  assert.deepEqual(strip(parseTraceFilter("status = 'IN_PROGRESS'")), attr('status', '=', ['IN_PROGRESS']));
  assert.deepEqual(strip(parseTraceFilter("span.attributes.`http.method` = 'GET'")), attr('span.attributes.http.method', '=', ['GET']));
  assert.deepEqual(strip(parseTraceFilter("span.name = 'Fetch User' AND span.type = 'db.query'")), {
    kind: 'and',
    items: [attr('span.name', '=', ['Fetch User']), attr('span.type', '=', ['db.query'])],
  });
});

test('operators: comparisons, LIKE, ILIKE, IN, NOT IN, NOT LIKE, IS NULL', () => {
  for (const op of ['=', '!=', '>', '>=', '<', '<=']) assert.deepEqual(strip(parseTraceFilter(`timestamp_ms ${op} 10`)), attr('timestamp_ms', op, [10]));
  assert.deepEqual(strip(parseTraceFilter('execution_time_ms <> 3')), attr('execution_time_ms', '!=', [3]));
  assert.deepEqual(strip(parseTraceFilter("tags.a ilike '%X%'")), tag('a', 'ilike', ['%X%']));
  assert.deepEqual(strip(parseTraceFilter("status IN ('OK', 'error')")), attr('status', 'in', ['OK', 'ERROR']));
  assert.deepEqual(strip(parseTraceFilter("tags.v NOT IN ('a','b')")), {
    kind: 'and',
    items: [tag('v', 'exists', []), { kind: 'not', item: tag('v', 'in', ['a', 'b']) }],
  });
  assert.deepEqual(strip(parseTraceFilter("name NOT LIKE 'x%'")), { kind: 'not', item: attr('name', 'like', ['x%']) });
  assert.deepEqual(strip(parseTraceFilter('tags.a IS NOT NULL')), tag('a', 'exists', []));
  assert.deepEqual(strip(parseTraceFilter('tags.a IS NULL')), { kind: 'not', item: tag('a', 'exists', []) });
  assert.deepEqual(strip(parseTraceFilter('timestamp_ms IN (1, 2)')), attr('timestamp_ms', 'in', [1, 2]));
});

test('OR and parentheses (an extension); AND binds tighter than OR', () => {
  assert.deepEqual(strip(parseTraceFilter("tags.a = '1' OR tags.b = '2' AND status = 'OK'")), {
    kind: 'or',
    items: [tag('a', '=', ['1']), { kind: 'and', items: [tag('b', '=', ['2']), attr('status', '=', ['OK'])] }],
  });
  assert.deepEqual(strip(parseTraceFilter("(tags.a = '1' or tags.b = '2') and not status = 'OK'")), {
    kind: 'and',
    items: [{ kind: 'or', items: [tag('a', '=', ['1']), tag('b', '=', ['2'])] }, { kind: 'not', item: attr('status', '=', ['OK']) }],
  });
});

test('strings: doubled and escaped quotes, double quotes as values, empty filter', () => {
  assert.deepEqual(strip(parseTraceFilter("tags.q = 'it''s'")), tag('q', '=', ["it's"]));
  assert.deepEqual(strip(parseTraceFilter("tags.q = 'a\\'b'")), tag('q', '=', ["a'b"]));
  assert.deepEqual(strip(parseTraceFilter('tags.q = "x y"')), tag('q', '=', ['x y']));
  assert.equal(parseTraceFilter(''), null);
  assert.equal(parseTraceFilter('   \n '), null);
});

test('errors name the problem and its position', () => {
  syntaxError("tags.environment = 'production", /unterminated string/, 19);
  syntaxError("tag = 'x'", /needs a key/, 0);
  syntaxError("foo = 'x'", /unknown field "foo"/, 0);
  syntaxError("status = 'DONE'", /unknown status 'DONE'/, 9);
  syntaxError("execution_time_ms > 'slow'", /expected a number/, 20);
  syntaxError("name > 'a'", /is text/, 5);
  syntaxError("tags.a = 'b' AND", /expected a field.*end of the filter/, 16);
  syntaxError("tags.a = 'b' tags.c = 'd'", /expected AND, OR/, 13);
  syntaxError("tags.a 'b'", /expected an operator/, 7);
  syntaxError("status IN ('OK'", /expected "," or "\)"/, 15);
  syntaxError("(status = 'OK'", /expected "\)"/, 14);
  syntaxError('tags.a = b', /expected a value/, 9);
  syntaxError("tags.a ! 'b'", /"!" must be followed/, 7);
  syntaxError("timestamp_ms LIKE '1%'", /is a number/, 13);
  syntaxError('status IS NULL', /always present/, 0);
  syntaxError("tags.a = 'x' ; DROP TABLE traces", /unexpected character ";"/, 13);
});

test('hostile input: long, deeply nested, huge lists, control characters', () => {
  syntaxError('x'.repeat(5000), /longer than 4000/);
  syntaxError('('.repeat(100) + "status = 'OK'" + ')'.repeat(100), /nests deeper/);
  syntaxError('NOT '.repeat(200) + "status = 'OK'", /nests deeper/);
  const list = Array.from({ length: 1200 }, (_, i) => `'${i}'`).join(',');
  assert.throws(() => parseTraceFilter(`tags.a IN (${list})`), QuerySyntaxError);
  assert.deepEqual(strip(parseTraceFilter("tags.a = 'x\u0000y'")), tag('a', '=', ['x\u0000y']));
  assert.deepEqual(strip(parseTraceFilter("tags.a = '\\' OR 1=1 --'")), tag('a', '=', ["' OR 1=1 --"]));
  syntaxError('\u0000', /unexpected character/, 0);
});

test('order_by: field and direction, MLflow defaults', () => {
  assert.deepEqual(parseTraceOrder(undefined), { field: 'timestamp_ms', direction: 'desc' });
  assert.deepEqual(parseTraceOrder('timestamp_ms DESC'), { field: 'timestamp_ms', direction: 'desc' });
  assert.deepEqual(parseTraceOrder('timestamp_ms ASC'), { field: 'timestamp_ms', direction: 'asc' });
  assert.deepEqual(parseTraceOrder('execution_time_ms'), { field: 'execution_time_ms', direction: 'asc' });
  assert.deepEqual(parseTraceOrder('trace.name desc'), { field: 'name', direction: 'desc' });
  assert.throws(() => parseTraceOrder('timestamp_ms; DROP'), QuerySyntaxError);
  assert.throws(() => parseTraceOrder('tags.x DESC'), QuerySyntaxError);
});
