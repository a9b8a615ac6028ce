import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGroupingSource } from '@proliferate/protocol';
import { normalizeEvent } from '../normalize.js';
import { applyFingerprintRules } from './match.js';
import { FingerprintRuleSyntaxError, MAX_RULES, parseFingerprintRules } from './parse.js';

const ctx = { receivedMs: Date.UTC(2026, 11, 3, 12) };

function event(overrides: Record<string, unknown> = {}) {
  return normalizeEvent(
    {
      platform: 'node',
      level: 'error',
      logger: 'payments.worker',
      release: 'shop@2.4.1',
      transaction: 'POST /checkout',
      sdk: { name: 'sentry.javascript.node', version: '8.0.0' },
      tags: { tier: 'enterprise', region: 'eu west' },
      exception: {
        values: [
          {
            type: 'ConnectionError',
            value: 'connect ECONNREFUSED 10.0.0.7:5432',
            stacktrace: {
              frames: [
                { function: 'Pool.connect', module: 'pg.pool', filename: 'node_modules/pg/lib/pool.js', abs_path: '/srv/app/node_modules/pg/lib/pool.js', package: 'pg', in_app: false },
                { function: 'chargeCard', module: 'billing', filename: 'src/billing.js', abs_path: '/srv/app/src/billing.js', in_app: true },
              ],
            },
          },
        ],
      },
      ...overrides,
    },
    ctx,
  );
}

const firstMatch = (rules: string, e = event()) => applyFingerprintRules(parseFingerprintRules(rules), e);
const matches = (rules: string, e = event()) => firstMatch(rules, e) !== undefined;

function syntaxError(text: string): FingerprintRuleSyntaxError {
  try {
    parseFingerprintRules(text);
  } catch (error) {
    assert.ok(error instanceof FingerprintRuleSyntaxError, `expected a syntax error, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} not to parse`);
}

test('comments and blank lines are skipped; each rule keeps its line and text', () => {
  const rules = parseFingerprintRules('# database\n\n  error.type:ConnectionError -> db-down  # trailing comment\nlevel:warning -> warn\n');
  assert.deepEqual(rules.map((r) => [r.line, r.text]), [[3, 'error.type:ConnectionError -> db-down'], [4, 'level:warning -> warn']]);
});

test('every event matcher and its alias reads the right field', () => {
  for (const rule of [
    'error.type:ConnectionError', 'type:Connection*', 'error.value:"connect ECONNREFUSED *"', 'value:*5432',
    'message:*ECONNREFUSED*', 'logger:payments.*', 'level:ERROR', 'release:shop@2.*', 'sdk:sentry.javascript.*',
    'tags.tier:enterprise', 'tags.region:"eu west"', 'family:javascript', 'family:python,javascript', 'family:all',
  ]) {
    assert.ok(matches(`${rule} -> x`), `${rule} should match`);
  }
  for (const rule of ['error.type:TypeError', 'error.value:timeout*', 'message:nope', 'logger:http', 'level:warning', 'release:shop@3.*', 'sdk:sentry.python', 'tags.tier:free', 'tags.missing:*', 'family:python']) {
    assert.ok(!matches(`${rule} -> x`), `${rule} should not match`);
  }
});

test('digest reads the SDK name and a bare stack trace from the event as received', () => {
  const raw = { sdk: { name: 'sentry.python.django' }, message: 'slow', stacktrace: { frames: [{ function: 'render', module: 'shop.views' }] } };
  const digestView = normalizeEvent(raw, ctx, 'digest');
  assert.equal(digestView.sdk, undefined, 'digest does not normalize the SDK');
  const rules = parseFingerprintRules('sdk:sentry.python* module:shop.* -> {{ sdk }}, {{ function }}');
  assert.equal(applyFingerprintRules(rules, digestView, raw)?.source, 'sentry.python.django|render');
  assert.equal(applyFingerprintRules(rules, normalizeEvent(raw, ctx, 'full'))?.source, 'sentry.python.django|render');
});

test('message matches a log message as well as an exception value', () => {
  const message = normalizeEvent({ message: 'Job 42 failed', level: 'warning' }, ctx);
  assert.ok(matches('message:"Job * failed" -> job', message));
  assert.ok(!matches('error.type:* -> x', message));
});

test('frame matchers look at every frame and must hold together on the same frame', () => {
  assert.ok(matches('module:pg.pool -> x'));
  assert.ok(matches('function:charge* -> x'));
  assert.ok(matches('path:**/node_modules/pg/* -> x'), 'abs_path');
  assert.ok(matches('abs_path:src/BILLING.js -> x'), 'filename, case-insensitive');
  assert.ok(matches('package:pg -> x'));
  assert.ok(matches('stack.function:chargeCard stack.module:billing stack.abs_path:*/billing.js -> x'), "Sentry's stack.* aliases");
  assert.ok(matches('stack.package:pg -> x'));
  assert.ok(matches('app:yes function:chargeCard -> x'));
  assert.ok(matches('app:no package:pg -> x'));
  assert.ok(!matches('app:yes package:pg -> x'), 'the pg frame is not in app');
  assert.ok(!matches('function:chargeCard module:pg.pool -> x'), 'two different frames');
  assert.ok(!matches('function:chargeCard -> x', normalizeEvent({ message: 'no frames' }, ctx)));
});

test('negation inverts a matcher, also a missing value', () => {
  assert.ok(matches('!error.type:TypeError -> x'));
  assert.ok(!matches('!error.type:ConnectionError -> x'));
  assert.ok(matches('!tags.missing:* -> x'));
  assert.ok(matches('!app:yes function:Pool.connect -> x'));
  assert.ok(!matches('error.type:ConnectionError !level:error -> x'));
});

test('globs: ? is one character, a backslash makes * literal, quoting keeps spaces', () => {
  assert.ok(matches('tags.tier:enterpris? -> x'));
  assert.ok(!matches('tags.tier:enterpri? -> x'));
  const star = normalizeEvent({ message: 'a*b' }, ctx);
  assert.ok(matches('message:a\\*b -> x', star));
  assert.ok(!matches('message:a\\*b -> x', normalizeEvent({ message: 'axxb' }, ctx)));
  assert.ok(matches('message:"a \\"quoted\\" word" -> x', normalizeEvent({ message: 'a "quoted" word' }, ctx)));
});

test('glob shapes: exact, prefix, suffix, infix, ** runs and mixed patterns agree with their meaning', async () => {
  const { compileGlob } = await import('./glob.js');
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'abc', true], ['abc', 'abcd', false], ['ab*', 'abcd', true], ['ab*', 'xab', false], ['*cd', 'abcd', true], ['*cd', 'cde', false],
    ['*bc*', 'abcd', true], ['*bc*', 'acbd', false], ['**/lib/**', '/srv/node_modules/lib/x.js', true], ['**/lib/**', '/srv/libs/x.js', false],
    ['a*c*e', 'abcde', true], ['a*c*e', 'abde', false], ['a?c', 'abc', true], ['a?c', 'ac', false], ['*', '', true], ['a\\*', 'a*', true], ['a\\*', 'ab', false],
  ];
  for (const [pattern, value, expected] of cases) assert.equal(compileGlob(pattern, false).test(value), expected, `${pattern} on ${value}`);
  assert.equal(compileGlob('*/SRC/*', true).test('/app/src/x.js'), true, 'caseless patterns are lowercased; values come lowercased');
});

test('the first matching rule wins', () => {
  const match = firstMatch('level:warning -> first\nerror.type:ConnectionError -> second\ntype:* -> third');
  assert.equal(match?.rule.line, 2);
  assert.equal(match?.source, 'second');
});

test('variables fill in the fingerprint; missing values name themselves', () => {
  const match = firstMatch(
    'type:* -> {{ error.type }}, {{ type }}, {{ error.value }}, {{ function }}, {{ module }}, {{ level }}, {{ logger }}, {{ transaction }}, {{ tags.tier }}, {{ tags.nope }}, {{ release }}, {{ sdk }}, {{ package }}',
  );
  assert.equal(
    match?.source,
    'ConnectionError|ConnectionError|connect ECONNREFUSED 10.0.0.7:5432|chargeCard|billing|error|payments.worker|POST /checkout|enterprise|<no-tags.nope>|shop@2.4.1|sentry.javascript.node|<no-package>',
  );
  assert.equal(firstMatch('package:pg -> {{ function }}, {{ package }}')?.source, 'Pool.connect|pg', 'the matched frame, not the app frame');
});

test('{{ default }} is the seed-001 grouping source, even when the SDK sent a fingerprint', () => {
  const e = event({ fingerprint: ['sdk-sent'] });
  const match = firstMatch('type:ConnectionError -> {{ default }}, {{ tags.tier }}', e);
  assert.equal(match?.source, `${defaultGroupingSource(e)}|enterprise`);
  assert.match(match!.source, /^ConnectionError\|chargeCard@billing\.js\|Pool\.connect@pool\.js\|enterprise$/);
});

test('a title with variables', () => {
  const match = firstMatch('type:ConnectionError -> db-down title="Database down ({{ tags.tier }}, {{ error.type }})"');
  assert.deepEqual([match?.source, match?.title], ['db-down', 'Database down (enterprise, ConnectionError)']);
  assert.equal(firstMatch('type:* -> a, "b c" title="x"')?.source, 'a|b c');
});

test('parse errors name the line and column', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['error.type:X', 1, 13, /expected `->`/],
    ['# ok\n  colour:red -> x', 2, 3, /unknown matcher `colour`/],
    ['!colour:red -> x', 1, 2, /unknown matcher/],
    ['error.type: -> x', 1, 12, /needs a value/],
    ['-> x', 1, 1, /at least one matcher/],
    ['type:X ->', 1, 10, /expected a fingerprint/],
    ['type:X -> {{ colour }}', 1, 11, /unknown variable \{\{ colour \}\}/],
    ['type:X -> a b', 1, 13, /expected `,`/],
    ['type:X -> a size="1"', 1, 13, /unknown attribute `size`/],
    ['type:X -> a title="{{ nope }}"', 1, 13, /unknown variable/],
    ['type:"unterminated -> x', 1, 6, /unterminated quoted value/],
    ['type:X -> {{ default', 1, 11, /unterminated variable/],
    ['app:maybe -> x', 1, 5, /app: takes yes or no/],
    ['family:cobol -> x', 1, 8, /family: takes/],
    ['tags.bad key:x -> y', 1, 1, /expected a matcher/],
    ['justtext -> x', 1, 1, /expected a matcher/],
  ];
  for (const [text, line, column, reason] of cases) {
    const error = syntaxError(text);
    assert.deepEqual([error.line, error.column], [line, column], `${JSON.stringify(text)}: ${error.message}`);
    assert.match(error.reason, reason, text);
  }
});

test('the rules text is bounded in size and in number of rules', () => {
  assert.match(syntaxError('# x\n'.repeat(17_000)).reason, /larger than 64 KB/);
  const many = Array.from({ length: MAX_RULES + 1 }, (_, i) => `tags.n:${i} -> n${i}`).join('\n');
  const error = syntaxError(many);
  assert.deepEqual([error.line, error.reason], [MAX_RULES + 1, `at most ${MAX_RULES} rules are allowed`]);
});

test('the example rules in docs/grouping.md parse, and the dashboard example with them', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../../../../docs/grouping.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Fingerprint rules'));
  const example = /```\n([\s\S]*?)```/.exec(section)![1]!;
  assert.deepEqual(parseFingerprintRules(example).map((r) => r.fingerprint.length), [1, 1, 2, 2, 1]);
  const dashboard = readFileSync(new URL('../../../../dashboard/src/pages/fingerprint-rules-settings.tsx', import.meta.url), 'utf8');
  const placeholder = /const EXAMPLE = `([\s\S]*?)`;/.exec(dashboard)![1]!;
  assert.equal(parseFingerprintRules(placeholder).length, 4);
});

test('the prefilter keeps rule order: an earlier wildcard rule wins over a later rule looked up by exact value', () => {
  const rules = parseFingerprintRules('error.type:NoSuch -> no\nerror.type:Conn* -> wildcard\nerror.type:ConnectionError -> exact\ntags.tier:enterprise -> tier');
  assert.equal(applyFingerprintRules(rules, event())?.rule.line, 2);
  // The same rules array again (one compiled prefilter per rules version) for another event.
  assert.equal(applyFingerprintRules(rules, event({ exception: { values: [{ type: 'ConnectionErrorX', value: 'x' }] } }))?.rule.line, 2);
  assert.equal(applyFingerprintRules(rules, event({ exception: { values: [{ type: 'Other', value: 'x' }] } }))?.rule.line, 4);
  assert.equal(applyFingerprintRules(rules, event({ tags: { tier: 'free' }, exception: { values: [{ type: 'Other', value: 'x' }] } })), undefined);
});

test('the prefilter never drops a rule that holds: negations, case-free fields, escapes, values across frames', () => {
  assert.ok(matches('!error.type:NoSuchError -> not'), 'a negated exact value is not a gate');
  assert.ok(!matches('!error.type:ConnectionError -> not'));
  assert.ok(matches('level:ERROR -> loud'), 'level matches without regard to case');
  assert.ok(matches('path:**/NODE_MODULES/PG/** -> pg'), 'path matches without regard to case');
  assert.ok(matches('error.type:Connection\\Error -> escaped'), 'an escaped letter is itself');
  assert.ok(matches('error.value:"*ECONNREFUSED*" function:chargeCard -> both'));
  assert.ok(!matches('function:Pool.connect module:billing -> one-frame'), 'frame matchers still hold for one frame, not across frames');
  assert.ok(matches('function:*connect module:pg.* package:pg -> same-frame'));
  assert.ok(!matches('error.value:"*ECONNREFUSED*" function:missing* -> none'));
  assert.ok(matches('tags.region:"eu west" release:shop@2.4.1 sdk:Sentry.JavaScript.Node -> all'));
});
