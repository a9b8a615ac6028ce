import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, twoProportionTest } from './statistics.js';

const close = (actual: number | null, expected: number, tolerance: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('the normal CDF matches textbook values', () => {
  close(normalCdf(0), 0.5, 1e-7);
  close(normalCdf(1.96), 0.975, 1e-4);
  close(normalCdf(-1.96), 0.025, 1e-4);
  close(normalCdf(3), 0.99865, 1e-5);
});

test('two-proportion test on a worked example: 60/100 vs 300/1000', () => {
  // pooled p = 360/1100; se = sqrt(p(1-p)(1/100 + 1/1000)); z = (0.6 - 0.3) / se
  const pooled = 360 / 1100;
  const z = 0.3 / Math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 1000));
  const result = twoProportionTest(60, 100, 300, 1000);
  close(result.z, z, 1e-9);
  close(result.z, 6.0961, 1e-3);
  close(result.lift, 2, 1e-12);
  assert.ok(result.pValue! < 1e-8);
});

test('equal shares are not significant', () => {
  const result = twoProportionTest(30, 100, 300, 1000);
  close(result.z, 0, 1e-12);
  close(result.pValue, 1, 1e-7);
});

test('undefined cases give nulls instead of NaN', () => {
  assert.deepEqual(twoProportionTest(5, 10, 0, 0), { share: 0.5, baselineShare: 0, lift: null, z: null, pValue: null });
  assert.equal(twoProportionTest(10, 10, 20, 20).pValue, null);
});
