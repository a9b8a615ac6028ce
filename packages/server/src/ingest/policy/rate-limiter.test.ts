import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.js';
import { compileScrubber, luhnValid, unsafePatternReason } from './scrub.js';
import { compileFilters } from './filters.js';

test('a bucket allows its burst, then refills at perMinute/60 a second and says when one more fits', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => now);
  const limits = { project: { perMinute: 60, burst: 3 }, key: null, spike: null };
  for (let i = 0; i < 3; i++) assert.equal(limiter.take(1, undefined, 1, limits), null);
  assert.deepEqual(limiter.take(1, undefined, 1, limits), { reason: 'project_quota', retryAfter: 1, scope: 'project' });
  now += 1000;
  assert.equal(limiter.take(1, undefined, 1, limits), null);
  assert.equal(limiter.take(2, undefined, 1, limits)?.reason, undefined, 'another project has its own bucket');
});

test('a key limit is checked before the project limit and names the key scope', () => {
  const limiter = new RateLimiter(() => 0);
  const limits = { project: { perMinute: 600, burst: 100 }, key: { perMinute: 1, burst: 1 }, spike: null };
  assert.equal(limiter.take(1, 'pk_a', 1, limits), null);
  assert.deepEqual(limiter.take(1, 'pk_a', 1, limits), { reason: 'key_quota', retryAfter: 60, scope: 'key' });
  assert.equal(limiter.take(1, 'pk_b', 1, limits), null);
});

test('spike protection allows the floor, then a multiple of the usual per-minute rate learned from past minutes', () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  const limits = { project: null, key: null, spike: { multiplier: 10, floor: 100 } };
  // A steady 50 a minute for an hour.
  for (let minute = 0; minute < 60; minute++) {
    now = minute * 60_000;
    assert.equal(limiter.take(1, undefined, 50, limits), null);
  }
  now = 60 * 60_000;
  // The usual rate is now about 43 a minute (an average that is still learning), so about 430 pass.
  assert.equal(limiter.take(1, undefined, 400, limits), null);
  assert.equal(limiter.take(1, undefined, 100, limits)?.reason, 'spike_protection');
  // A project never seen before may still send the floor in its first minute.
  assert.equal(limiter.take(2, undefined, 100, limits), null);
  assert.equal(limiter.take(2, undefined, 1, limits)?.reason, 'spike_protection');
});

test('card numbers are removed only when they pass the Luhn check', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  const scrubber = compileScrubber({ defaults: true, extraKeys: [], extraPatterns: [], dropIpAddresses: false });
  const event: Record<string, unknown> = { message: 'paid with 4111-1111-1111-1111, order 4111111111111112', extra: { note: 'SSN 078-05-1120' } };
  const notes = scrubber.scrub(event);
  assert.equal(event.message, 'paid with [Filtered], order 4111111111111112');
  assert.deepEqual(event.extra, { note: 'SSN [Filtered]' });
  assert.deepEqual(notes.map((n) => [n.path, n.rule]), [['message', 'credit_card'], ['extra.note', 'us_ssn']]);
});

test('project regular expressions that could stall ingest are refused', () => {
  assert.equal(unsafePatternReason('ACME-[0-9]{6}'), null);
  assert.match(unsafePatternReason('(a+)+$') ?? '', /catastrophic/);
  assert.match(unsafePatternReason('(x)\\1') ?? '', /back-reference/);
  assert.match(unsafePatternReason('a*') ?? '', /empty string/);
  assert.match(unsafePatternReason('[') ?? '', /not a valid regular expression/);
});

test('filters: release globs, exact environments, message globs against "Type: value"', () => {
  const filters = compileFilters({ messagePatterns: ['TypeError: *undefined*'], releases: ['2.*'], environments: ['qa'], browserExtensions: false })!;
  assert.equal(filters.matches({ release: '2.0.1' }), 'release');
  assert.equal(filters.matches({ release: '12.0' }), null);
  assert.equal(filters.matches({ environment: 'QA' }), null);
  assert.equal(filters.matches({ exception: { values: [{ type: 'TypeError', value: 'x is undefined' }] } }), 'error_message');
  assert.equal(compileFilters({ messagePatterns: [], releases: [], environments: [], browserExtensions: false }), null);
});
