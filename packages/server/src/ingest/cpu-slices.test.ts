import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuSlices } from './cpu-slices.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('queued work runs in order, each job resolving with its own result or error', async () => {
  const slices = new CpuSlices();
  const order: number[] = [];
  const results = await Promise.allSettled([
    slices.run(() => (order.push(1), 'one')),
    slices.run(() => {
      order.push(2);
      throw new Error('two failed');
    }),
    slices.run(() => (order.push(3), 3)),
  ]);
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(results[0], { status: 'fulfilled', value: 'one' });
  assert.equal(results[1]!.status, 'rejected');
  assert.equal((results[1] as PromiseRejectedResult).reason.message, 'two failed');
  assert.deepEqual(results[2], { status: 'fulfilled', value: 3 });
  assert.equal(slices.waiting, 0);
});

test('a backlog longer than a slice lets a timer due meanwhile run between two slices, not after the whole backlog', async () => {
  const slices = new CpuSlices();
  const done: number[] = [];
  // 30 jobs of 3 ms: about 90 ms of work, in slices of at most 8 ms (at least one job each).
  let doneWhenTimerFired = -1;
  // Set from inside the first job, so it is due while the backlog is being worked through.
  const jobs = Array.from({ length: 30 }, (_, i) =>
    slices.run(() => {
      if (i === 0) setTimeout(() => (doneWhenTimerFired = done.length), 0);
      busy(3);
      done.push(i);
    }),
  );
  await Promise.all(jobs);
  assert.equal(done.length, 30);
  assert.ok(doneWhenTimerFired >= 1 && doneWhenTimerFired < 30, `the timer ran after ${doneWhenTimerFired} of 30 jobs, between slices`);
});
