/**
 * The ingest-policy part of the store contract (store/ingest-policy-types.ts) on every backend:
 * per-project policy documents and outcome counts that add up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from './contract.fixtures.js';
import { DEFAULT_POLICY, type IngestPolicy } from './ingest-policy-types.js';
import type { Store } from './types.js';

for (const backend of BACKENDS) {
  describe(`ingest policy store contract on ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let a: number;
    let b: number;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      cleanup = () => opened.cleanup();
      a = (await store.createProject({ name: 'A' })).id;
      b = (await store.createProject({ name: 'B' })).id;
    });
    after(() => cleanup());

    test('a policy is kept per project, replaced whole, and absent until set', async () => {
      assert.equal(await store.getIngestPolicy(a), undefined);
      const policy: IngestPolicy = { ...DEFAULT_POLICY, rateLimit: { perMinute: 60, burst: 10 }, filters: { ...DEFAULT_POLICY.filters, environments: ['staging'] } };
      await store.putIngestPolicy(a, policy);
      assert.deepEqual(await store.getIngestPolicy(a), policy);
      const changed = { ...policy, rateLimit: null, spikeProtection: true };
      await store.putIngestPolicy(a, changed);
      assert.deepEqual(await store.getIngestPolicy(a), changed);
      assert.equal(await store.getIngestPolicy(b), undefined);
      assert.deepEqual((await store.listIngestPolicies()).map((p) => p.projectId), [a]);
    });

    test('outcome counts with the same hour, outcome, reason and category add up; other projects stay apart', async () => {
      const hour = Date.UTC(2026, 0, 1, 10);
      const row = { projectId: a, hour, outcome: 'rate_limited' as const, reason: 'project_quota', category: 'error', count: 3 };
      await store.addOutcomes([row, { ...row, count: 2 }, { ...row, outcome: 'filtered', reason: 'release', count: 1 }]);
      await store.addOutcomes([{ ...row, count: 5 }, { ...row, projectId: b, count: 7 }, { ...row, hour: hour - 3_600_000, count: 4 }]);
      const counts = await store.listOutcomes(a, hour);
      assert.deepEqual(
        counts.map((c) => [c.outcome, c.reason, c.category, c.count]),
        [
          ['filtered', 'release', 'error', 1],
          ['rate_limited', 'project_quota', 'error', 10],
        ],
      );
      assert.equal((await store.listOutcomes(a, hour - 3_600_000)).length, 3);
      assert.deepEqual((await store.listOutcomes(b, 0)).map((c) => c.count), [7]);
    });

    test('shared rate-limit buckets start full, grant whole tokens up to what is left, refill at the rate, and keep scopes apart', async () => {
      const slow = { scope: 'p:lease-a', perMinute: 6, burst: 5 };
      assert.deepEqual(await store.leaseRateTokens([{ ...slow, want: 3 }]), [{ scope: 'p:lease-a', granted: 3, tokens: 2 }]);
      const [second] = await store.leaseRateTokens([{ ...slow, want: 3 }]);
      assert.equal(second!.granted, 2, 'only what is left');
      assert.ok(second!.tokens >= 0 && second!.tokens < 0.1, `empty: ${second!.tokens}`);
      const [third] = await store.leaseRateTokens([{ ...slow, want: 1 }]);
      assert.equal(third!.granted, 0, 'a tenth of a token a second refills nothing usable at once');
      // Another scope is another bucket, asked in the same statement; a want past the burst gets the burst.
      const both = await store.leaseRateTokens([{ ...slow, want: 1 }, { scope: 'k:lease-key', perMinute: 600, burst: 4, want: 9 }]);
      assert.deepEqual(both.map((g) => [g.scope, g.granted]).sort(), [['k:lease-key', 4], ['p:lease-a', 0]]);
      // 600 a minute is 10 a second: a second later the 10 tokens are back (the burst caps them).
      const fast = { scope: 'p:lease-fast', perMinute: 600, burst: 10 };
      assert.equal((await store.leaseRateTokens([{ ...fast, want: 10 }]))[0]!.granted, 10);
      assert.equal((await store.leaseRateTokens([{ ...fast, want: 10 }]))[0]!.granted < 10, true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await store.leaseRateTokens([{ ...fast, want: 10 }]))[0]!.granted, 10);
    });

    test('rate-limit buckets of a deleted project and of its keys go with it; the periodic prune leaves live buckets', async () => {
      // The test above leased buckets of scopes that name no project or key: orphans, pruned here.
      assert.equal(await store.pruneRateBuckets(), 3);
      const doomed = await store.createProject({ name: 'Doomed' });
      const key = doomed.publicKey;
      const live = { scope: `p:${a}`, perMinute: 1, burst: 10, want: 1 };
      await store.leaseRateTokens([live, { scope: `p:${doomed.id}`, perMinute: 60, burst: 10, want: 1 }, { scope: `k:${key}`, perMinute: 60, burst: 10, want: 1 }]);
      // A bucket of a project deleted some other way (e.g. before this fix) goes with the periodic prune.
      await store.leaseRateTokens([{ scope: 'p:999999', perMinute: 60, burst: 10, want: 1 }]);
      assert.deepEqual(await store.deleteProject(doomed.id), [key]);
      // Leasing again gives back the one token the live bucket lost: it was not reset.
      assert.equal(await store.pruneRateBuckets(), 1, 'only the orphan bucket of a missing project');
      assert.equal(await store.pruneRateBuckets(), 0);
      const [again] = await store.leaseRateTokens([{ ...live, want: 10 }]);
      assert.ok(again!.granted < 10, `the live bucket kept its state: ${JSON.stringify(again)}`);
      // The deleted project's buckets were gone: a lease starts a full bucket again.
      const [fresh] = await store.leaseRateTokens([{ scope: `p:${doomed.id}`, perMinute: 60, burst: 10, want: 10 }]);
      assert.equal(fresh!.granted, 10);
    });
  });
}
