import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkTagKey, checkTagValue, sanitizeTags, looksSensitiveTagKey } from './tags.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/tags.json', import.meta.url), 'utf8')) as {
  cases: Array<{ name: string; key: string; value: unknown; expected?: string; dropped?: string }>;
};

for (const vector of vectors.cases) {
  test(`tag vector: ${vector.name}`, () => {
    const { tags, dropped } = sanitizeTags({ [vector.key]: vector.value });
    if (vector.dropped) {
      assert.deepEqual(tags, {});
      assert.equal(dropped.length, 1);
      assert.equal(dropped[0]?.reason, vector.dropped);
    } else {
      assert.deepEqual(dropped, []);
      assert.equal(tags[vector.key], vector.expected);
    }
  });
}

test('tags given as [key, value] pairs are accepted, the later pair winning', () => {
  const { tags, dropped } = sanitizeTags([
    ['tier', 'free'],
    ['tier', 'enterprise'],
    ['ok', 1],
  ]);
  assert.deepEqual(tags, { tier: 'enterprise', ok: '1' });
  assert.deepEqual(dropped, []);
});

test('malformed pairs are reported, not silently skipped', () => {
  const { dropped } = sanitizeTags([['only-key'], 'junk']);
  assert.equal(dropped.length, 2);
});

test('a dropped tag keeps a short preview of the value for display', () => {
  const { dropped } = sanitizeTags({ multi: 'x'.repeat(500) + '\n' });
  assert.equal(dropped[0]?.reason, 'value_too_long');
  assert.ok((dropped[0]?.value ?? '').length <= 64);
});

test('non-finite numbers are not valid tag values', () => {
  assert.deepEqual(checkTagValue(Number.NaN), { ok: false, reason: 'value_not_scalar' });
  assert.deepEqual(checkTagValue(Infinity), { ok: false, reason: 'value_not_scalar' });
  assert.equal(checkTagKey(5), 'key_not_string');
});

test('sensitive-looking tag keys are recognised for SDK warnings', () => {
  assert.ok(looksSensitiveTagKey('api_key'));
  assert.ok(looksSensitiveTagKey('credit_card_last4'));
  assert.ok(!looksSensitiveTagKey('subscription_tier'));
});

const sensitive = JSON.parse(readFileSync(new URL('../vectors/sensitive-keys.json', import.meta.url), 'utf8')) as {
  pattern: string;
  cases: Array<{ key: string; sensitive: boolean }>;
};

test('the sensitive-key vectors hold, and the pattern is the one SDKs embed', async () => {
  const { SENSITIVE_KEY_SOURCE, isSensitiveKey } = await import('./sensitive.js');
  assert.equal(sensitive.pattern, SENSITIVE_KEY_SOURCE);
  for (const { key, sensitive: expected } of sensitive.cases) assert.equal(isSensitiveKey(key), expected, key);
});
