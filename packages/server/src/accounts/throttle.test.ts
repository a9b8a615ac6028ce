import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './throttle.js';

test('an account is locked after its limit of failures and opens when the oldest leaves the window', () => {
  let now = 0;
  const throttle = new LoginThrottle({ windowMs: 60_000, perAccount: 3, perAddress: 100 }, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(throttle.retryAfter('a@example.com', '10.0.0.1'), 0);
    throttle.fail('A@example.com', '10.0.0.1');
    now += 1000;
  }
  assert.equal(throttle.retryAfter('a@example.com', '10.0.0.2'), 57, 'from any address, until the first failure is 60 s old');
  assert.equal(throttle.retryAfter('b@example.com', '10.0.0.1'), 0, 'other accounts are not locked');
  now = 60_001;
  assert.equal(throttle.retryAfter('a@example.com', '10.0.0.1'), 0);
});

test('one address guessing many accounts is locked by the address limit; a success clears only the account', () => {
  const now = 0;
  const throttle = new LoginThrottle({ windowMs: 60_000, perAccount: 3, perAddress: 4 }, () => now);
  for (let i = 0; i < 4; i++) throttle.fail(`user${i}@example.com`, '10.0.0.9');
  assert.ok(throttle.retryAfter('new@example.com', '10.0.0.9') > 0);
  assert.equal(throttle.retryAfter('new@example.com', '10.0.0.8'), 0);
  throttle.fail('c@example.com', '10.0.0.7');
  throttle.succeed('c@example.com');
  assert.ok(throttle.retryAfter('c@example.com', '10.0.0.9') > 0, 'the address count stays');
});
