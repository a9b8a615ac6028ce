import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../../../digest/digest.js';
import { configureConnection, migrate } from '../schema.js';
import { DATABASE_FILE } from '../store.js';
import { ApplyPolicy, DEFAULT_APPLY_SETTINGS } from './apply-policy.js';
import { EventWriter } from './event-writer.js';

/** A clock the test moves by hand: every decision below is taken without a real sleep. */
function manualClock() {
  let now = 50_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('a read that asks gets everything applied with the batch, however little and new it is (trigger 4)', () => {
  const policy = new ApplyPolicy({ clock: manualClock() });
  assert.equal(policy.withBatch({ events: 1, ageMs: 0 }, true), true);
  assert.equal(policy.withBatch({ events: 1, ageMs: 0 }, false), false);
});

test('without a read, a batch applies what is gathered once it is 250 ms old or 5,000 events (trigger 3)', () => {
  const policy = new ApplyPolicy({ clock: manualClock() });
  assert.equal(policy.withBatch({ events: 4999, ageMs: 249 }, false), false);
  assert.equal(policy.withBatch({ events: 5000, ageMs: 0 }, false), true);
  assert.equal(policy.withBatch({ events: 1, ageMs: 250 }, false), true);
});

test('with a shallow queue the writer slices once the oldest rows waited 150 ms, half of what is gathered and at least 128 events (trigger 1)', () => {
  const policy = new ApplyPolicy({ clock: manualClock() });
  assert.deepEqual(policy.afterDrain({ events: 0, ageMs: 900 }), { kind: 'none' });
  assert.deepEqual(policy.afterDrain({ events: 40, ageMs: 100 }), { kind: 'slice', inMs: 50 });
  assert.deepEqual(policy.afterDrain({ events: 40, ageMs: 400 }), { kind: 'slice', inMs: 0 });
  assert.equal(policy.sliceEvents(40), 128);
  assert.equal(policy.sliceEvents(1001), 501);
  // After a slice, slicing goes on until nothing is left; a failed slice is retried after 150 ms.
  assert.deepEqual(policy.nextSlice({ events: 500, ageMs: 300 }), { kind: 'slice', inMs: 0 });
  assert.deepEqual(policy.nextSlice({ events: 0, ageMs: 0 }), { kind: 'none' });
  assert.equal(policy.retryAfterMs, DEFAULT_APPLY_SETTINGS.idleAfterMs);
});

test('with a deep queue (a median of 6 or more requests per batch over the last second) the writer applies all at once after 20 quiet ms (trigger 2)', () => {
  const clock = manualClock();
  const policy = new ApplyPolicy({ clock });
  for (let i = 0; i < 50; i++) policy.batchWritten(5);
  clock.advance(1000);
  assert.equal(policy.deepQueue, false, 'a median of 5 is shallow');
  for (let i = 0; i < 50; i++) policy.batchWritten(i < 30 ? 9 : 1);
  clock.advance(1000);
  assert.equal(policy.deepQueue, true);
  assert.deepEqual(policy.afterDrain({ events: 3000, ageMs: 10 }), { kind: 'all-when-quiet', inMs: 20 });
  // Once ingest pauses for a whole window the queue reads shallow again: back to slices.
  clock.advance(2000);
  assert.deepEqual(policy.afterDrain({ events: 3000, ageMs: 2010 }), { kind: 'slice', inMs: 0 });
});

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('the event writer takes its time from the policy clock: rows stay gathered until that clock says 250 ms passed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proliferate-policy-'));
  dirs.push(dir);
  const db = new Database(join(dir, DATABASE_FILE));
  configureConnection(db, 'writer');
  migrate(db);
  db.prepare(`INSERT INTO projects (id, slug, name, created_at) VALUES (1, 'p', 'P', 0)`).run();
  const event = (i: number) =>
    digestEvent({ event_id: (i + 1).toString(16).padStart(32, '0'), message: 'policy', tags: { tier: 'pro' } }, 1, { receivedMs: Date.UTC(2026, 10, 20) });
  const counted = () => (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM issues').get() as { n: number }).n;
  const clock = manualClock();
  const writer = new EventWriter(db, new ApplyPolicy({ clock }));

  writer.write([event(0)], [], [], false);
  clock.advance(249);
  writer.write([event(1)], [], [], false);
  assert.equal(counted(), 0, 'gathered, not applied: the clock says 249 ms');
  assert.deepEqual(writer.gathered, { events: 2, ageMs: 249 });
  clock.advance(1);
  writer.write([event(2)], [], [], false);
  assert.equal(counted(), 3, 'the batch at 250 ms applies all three');
  assert.deepEqual(writer.gathered, { events: 0, ageMs: 0 });

  writer.write([event(3)], [], [], false);
  writer.write([event(4)], [], [], true);
  assert.equal(counted(), 5, 'a read that asks applies at once');
  db.close();
});

test('while reads come, a batch applies what is gathered with itself; 5 s after the last read, rows gather again for 250 ms', () => {
  const clock = manualClock();
  const policy = new ApplyPolicy({ clock });
  assert.equal(policy.withBatch({ events: 1, ageMs: 10 }, false), false, 'no read yet: keep gathering');
  policy.readAsked();
  assert.equal(policy.withBatch({ events: 0, ageMs: 0 }, false), false, 'nothing gathered');
  assert.equal(policy.withBatch({ events: 1, ageMs: 0 }, false), true);
  clock.advance(4999);
  assert.equal(policy.withBatch({ events: 1, ageMs: 10 }, false), true, 'the read was 4,999 ms ago');
  clock.advance(1);
  assert.equal(policy.withBatch({ events: 1, ageMs: 10 }, false), false, 'reads stopped 5 s ago');
});
