import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueDepthMeter } from './writer-load.js';

/** A clock the test moves by hand: no real sleeps. */
function manualClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('the queue depth is the median batch size of the last full window, so one large batch after a stall does not count as load', () => {
  const clock = manualClock();
  const meter = new QueueDepthMeter(clock);
  assert.equal(meter.depth, 0);
  for (let i = 0; i < 40; i++) meter.add(2);
  meter.add(120);
  // Still inside the first window: nothing is reported before a window ends.
  clock.advance(999);
  assert.equal(meter.depth, 0);
  clock.advance(51);
  assert.equal(meter.depth, 2);

  // A window of mostly deep batches reads as deep.
  for (let i = 0; i < 30; i++) meter.add(15);
  for (let i = 0; i < 10; i++) meter.add(1);
  clock.advance(1050);
  assert.equal(meter.depth, 15);

  // A window without any batch reads as idle.
  clock.advance(1050);
  assert.equal(meter.depth, 0);
});

test('after a pause, the deep batches from before it no longer count once the first new batch comes', () => {
  const clock = manualClock();
  const meter = new QueueDepthMeter(clock);
  for (let i = 0; i < 20; i++) meter.add(18);
  // Ingest stops for over two windows; nothing reads the meter meanwhile.
  clock.advance(2100);
  meter.add(2);
  assert.equal(meter.depth, 0);
  clock.advance(1050);
  assert.equal(meter.depth, 2);
});
