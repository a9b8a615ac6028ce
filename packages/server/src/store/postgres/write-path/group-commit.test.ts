import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.js';

/** A commit the test finishes by hand, recording what each transaction held. */
function manualCommits() {
  const transactions: number[][] = [];
  const finish: Array<() => void> = [];
  const commit = (inputs: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      transactions.push(inputs);
      finish.push(() => (inputs.includes(-1) ? reject(new Error('bad input')) : resolve(inputs.map((i) => `ok ${i}`))));
    });
  return { transactions, finish, commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('calls made while a transaction commits go together into the next one, each settled after its own commit', async () => {
  const { transactions, finish, commit } = manualCommits();
  const group = new GroupCommit(commit, { maxBatchEvents: 100 });
  const first = group.submit(1, 1);
  await tick();
  const later = [2, 3, 4].map((n) => group.submit(n, 1));
  let settled = false;
  void Promise.all(later).then(() => (settled = true));
  finish[0]!();
  assert.equal(await first, 'ok 1');
  await tick();
  assert.deepEqual(transactions, [[1], [2, 3, 4]]);
  assert.equal(settled, false, 'not before their commit returned');
  finish[1]!();
  assert.deepEqual(await Promise.all(later), ['ok 2', 'ok 3', 'ok 4']);
});

test('a group is bounded by its event count, and a failed group is retried one request at a time', async () => {
  const { transactions, finish, commit } = manualCommits();
  const group = new GroupCommit(commit, { maxBatchEvents: 10 });
  const head = group.submit(0, 1);
  await tick();
  const queued = [group.submit(5, 6), group.submit(-1, 3), group.submit(7, 6)];
  const settled = Promise.allSettled(queued);
  finish[0]!();
  await head;
  await tick();
  assert.deepEqual(transactions[1], [5, -1], 'the third request would pass 10 events');
  finish[1]!();
  await tick();
  finish[2]!();
  await tick();
  finish[3]!();
  await tick();
  finish[4]!();
  const outcomes = await settled;
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(transactions.slice(2), [[5], [-1], [7]]);
});

test('close waits for queued writes and refuses new ones', async () => {
  const { finish, commit } = manualCommits();
  const group = new GroupCommit(commit, { maxBatchEvents: 10 });
  const pending = group.submit(1, 1);
  const closed = group.close();
  await assert.rejects(group.submit(2, 1), /closed/);
  finish[0]!();
  await closed;
  assert.equal(await pending, 'ok 1');
});
