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
  });
}
