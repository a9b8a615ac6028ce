import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeletionPacer } from './deletion-pacer.js';

/** A clock the test moves by hand: every decision below is taken without a real sleep or a real batch. */
function manualClock() {
  let now = 10_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const idle = { waiting: false, deepQueue: false };

test('a deletion batch yields to a request waiting on the writer, and runs with the start size when ingest is idle', () => {
  const pacer = new DeletionPacer(manualClock());
  assert.deepEqual(pacer.next(500, { waiting: true, deepQueue: false }), { kind: 'yield' });
  assert.deepEqual(pacer.next(500, idle), { kind: 'run', rows: 50 });
  // The caller's own limit is an upper bound (an API deletion asked for 7 rows gets 7).
  assert.deepEqual(pacer.next(7, idle), { kind: 'run', rows: 7 });
});

test('batch size follows the time target: a fast batch doubles the next at most, a slow one halves it at most, never below the minimum', () => {
  const pacer = new DeletionPacer(manualClock(), { targetMs: 20, startRows: 50, minRows: 10 });
  pacer.record(50, 5); // 4x under target: doubles, not quadruples
  assert.equal(pacer.nextRows, 100);
  pacer.record(100, 25); // 100 * 20 / 25 = 80
  assert.equal(pacer.nextRows, 80);
  pacer.record(80, 400); // 20x over: halves, not 1/20
  assert.equal(pacer.nextRows, 40);
  for (let i = 0; i < 10; i++) pacer.record(pacer.nextRows, 1000);
  assert.equal(pacer.nextRows, 10);
  assert.deepEqual(pacer.next(500, idle), { kind: 'run', rows: 10 });
  pacer.record(10, 0); // too fast to time: doubles
  assert.equal(pacer.nextRows, 20);
});

test('a deep writer queue makes deletions wait, then after maxDeferMs one batch of the fewest rows runs so a purge always ends', () => {
  const clock = manualClock();
  const pacer = new DeletionPacer(clock, { deepQueueWaitMs: 100, maxDeferMs: 2000, minRows: 10 });
  const deep = { waiting: false, deepQueue: true };
  assert.deepEqual(pacer.next(500, deep), { kind: 'wait', ms: 100 });
  clock.advance(1999);
  assert.deepEqual(pacer.next(500, deep), { kind: 'wait', ms: 100 });
  clock.advance(1);
  assert.deepEqual(pacer.next(500, deep), { kind: 'run', rows: 10 });
  // The wait starts over after that batch, and a shallow queue ends it at once.
  assert.deepEqual(pacer.next(500, deep), { kind: 'wait', ms: 100 });
  assert.deepEqual(pacer.next(500, idle), { kind: 'run', rows: 50 });
  clock.advance(5000);
  assert.deepEqual(pacer.next(500, deep), { kind: 'wait', ms: 100 });
});
