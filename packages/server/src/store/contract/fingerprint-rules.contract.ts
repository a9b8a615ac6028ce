/**
 * The FingerprintRuleStore contract, written against the Store interface only:
 * store/contract-fingerprint-rules.test.ts runs it on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CacheInvalidation } from '../invalidation.js';
import type { Store } from '../types.js';

export function fingerprintRuleStoreContract(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>): void {
  describe(`FingerprintRuleStore contract (${name})`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let projectId: number;
    let otherProjectId: number;

    before(async () => {
      ({ store, close } = await open());
      projectId = (await store.createProject({ name: 'Fingerprint rules' })).id;
      otherProjectId = (await store.createProject({ name: 'Other rules' })).id;
    });
    after(() => close());

    test('a project without rules has none; rules are stored per project as written and replaced whole', async () => {
      assert.equal(await store.getFingerprintRules(projectId), undefined);
      const text = '# db\nerror.type:"Connection*" -> database-down title="Database down"\n';
      const before = Date.now();
      const stored = await store.putFingerprintRules(projectId, text);
      assert.equal(stored.rules, text);
      assert.ok(stored.updatedAt >= before);
      assert.deepEqual(await store.getFingerprintRules(projectId), stored);
      assert.equal(await store.getFingerprintRules(otherProjectId), undefined, 'another project sees none');
      const replaced = await store.putFingerprintRules(projectId, 'level:warning -> warnings');
      assert.equal((await store.getFingerprintRules(projectId))?.rules, replaced.rules);
    });

    test('the list for the cache holds every project with non-empty rules', async () => {
      await store.putFingerprintRules(otherProjectId, 'tags.tier:free -> free');
      const listed = (await store.listFingerprintRules()).filter((r) => r.projectId === projectId || r.projectId === otherProjectId);
      assert.deepEqual(listed.map((r) => [r.projectId, r.rules]), [[projectId, 'level:warning -> warnings'], [otherProjectId, 'tags.tier:free -> free']]);
      await store.putFingerprintRules(otherProjectId, '');
      assert.deepEqual((await store.listFingerprintRules()).filter((r) => r.projectId === otherProjectId), [], 'emptied rules are not listed');
      assert.equal((await store.getFingerprintRules(otherProjectId))?.rules, '');
    });

    test('a change is announced to the caches (fingerprint_rules with the project)', async () => {
      const heard: CacheInvalidation[] = [];
      const unsubscribe = store.onInvalidation((change) => heard.push(change));
      try {
        await store.putFingerprintRules(projectId, 'level:fatal -> fatal');
        // PostgreSQL delivers the NOTIFY asynchronously after the commit.
        const deadline = Date.now() + 10_000;
        while (!heard.some((c) => c.kind === 'fingerprint_rules' && c.projectId === projectId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(heard.some((c) => c.kind === 'fingerprint_rules' && c.projectId === projectId), `heard ${JSON.stringify(heard)}`);
      } finally {
        unsubscribe();
      }
    });

    test('a text over 64 KB is refused by the database itself', async () => {
      await assert.rejects(store.putFingerprintRules(projectId, 'x'.repeat(65_537)));
      assert.equal((await store.getFingerprintRules(projectId))?.rules, 'level:fatal -> fatal');
    });
  });
}
