/**
 * The shared rate limiter as two server processes use it: two limiters, each over its own store
 * connection to one PostgreSQL database. Together they accept what one bucket allows within the
 * documented bound (one lease per process), ask the database about once per lease, and refuse
 * without asking while the bucket is known to be short.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, type OpenedStore } from '../../store/contract.fixtures.js';
import type { Store } from '../../store/types.js';
import { leaseSize, SharedRateLimiter } from './shared-rate-limiter.js';

const quiet = { warn() {}, error() {}, info() {}, debug() {} } as never;
const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

/** A store that counts the lease statements it is asked for (the real store answers them). */
function counting(store: Store) {
  const counted = { calls: 0, store: { leaseRateTokens: (...args: Parameters<Store['leaseRateTokens']>) => (counted.calls++, store.leaseRateTokens(...args)) } };
  return counted;
}

describe('shared rate limiter over one PostgreSQL database, as two processes', () => {
  let opened: OpenedStore;
  let second: Store;
  before(async () => {
    opened = await postgres.open();
    second = await opened.openAnother!();
  });
  after(() => opened.cleanup());

  test('two processes taking one event at a time accept one burst plus the refill, at most one lease each beyond it, with one statement per lease', async (t) => {
    const limit = { perMinute: 6000, burst: 200 };
    assert.equal(leaseSize(limit), 50);
    const stores = [counting(opened.store), counting(second)];
    const limiters = stores.map((s) => new SharedRateLimiter(s.store, quiet));
    const started = Date.now();
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const decision = await limiters[i % 2]!.take(1, undefined, 1, { project: limit, key: null, spike: null });
      if (decision === null) accepted++;
      else {
        refused++;
        assert.equal(decision.reason, 'project_quota');
        assert.ok(decision.retryAfter >= 1);
      }
    }
    const refill = ((Date.now() - started) / 60_000) * limit.perMinute;
    assert.ok(accepted <= limit.burst + refill + 2 * leaseSize(limit), `accepted ${accepted}, refill ${refill.toFixed(1)}`);
    assert.ok(accepted >= limit.burst - 2 * leaseSize(limit), `accepted ${accepted}`);
    assert.equal(accepted + refused, 1000);
    const calls = stores[0]!.calls + stores[1]!.calls;
    // A lease per 50 accepted events; past the limit each process asks again once a lease has
    // refilled (half a second of the rate), not per event.
    const seconds = Math.ceil((Date.now() - started) / 1000);
    t.diagnostic(`accepted ${accepted} of 1000 (refill ${refill.toFixed(1)}), ${calls} lease statements`);
    assert.ok(calls <= Math.ceil(accepted / leaseSize(limit)) + 2 * 2 * seconds + 4, `${calls} statements for ${accepted} accepted in ${seconds} s`);
  });

  test('a key limit is shared too and names the key; another key and the project are not spent by it', async () => {
    const limiters = [new SharedRateLimiter(opened.store, quiet), new SharedRateLimiter(second, quiet)];
    const keyLimit = { perMinute: 60, burst: 6 };
    const project = { perMinute: 60_000, burst: 1000 };
    let accepted = 0;
    for (let i = 0; i < 40; i++) {
      const decision = await limiters[i % 2]!.take(2, 'key-a', 1, { project, key: keyLimit, spike: null });
      if (decision === null) accepted++;
      else assert.deepEqual([decision.reason, decision.scope], ['key_quota', 'key']);
    }
    assert.ok(accepted >= keyLimit.burst - 2 && accepted <= keyLimit.burst + 2 * leaseSize(keyLimit), `accepted ${accepted}`);
    assert.equal(await limiters[0]!.take(2, 'key-b', 1, { project, key: keyLimit, spike: null }), null, 'another key has its own bucket');
  });

  test('an export larger than the burst goes through on a full bucket, then the bucket is in debt', async () => {
    const limiter = new SharedRateLimiter(opened.store, quiet);
    const limit = { perMinute: 60, burst: 10 };
    assert.equal(await limiter.take(3, undefined, 25, { project: limit, key: null, spike: null }), null);
    const next = await limiter.take(3, undefined, 1, { project: limit, key: null, spike: null });
    assert.equal(next?.reason, 'project_quota');
  });
});
