/**
 * The store's cross-process pieces, on every backend: the shared named lock (`exclusively`) and the
 * announcements of changes that make a cache wrong (`onInvalidation`). On a backend several
 * processes share, they hold across two stores over the same data, as two processes would open it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, type OpenedStore } from './contract.fixtures.js';
import type { CacheInvalidation } from './invalidation.js';
import type { Store } from './types.js';

async function heard(changes: CacheInvalidation[], match: (c: CacheInvalidation) => boolean, ms = 5_000): Promise<void> {
  const started = Date.now();
  while (!changes.some(match)) {
    if (Date.now() - started > ms) throw new Error(`not heard within ${ms} ms: ${JSON.stringify(changes)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const backend of BACKENDS) {
  describe(`store contract on ${backend.name}: shared lock and cache invalidation`, () => {
    let opened: OpenedStore;
    let stores: Store[];

    before(async () => {
      opened = await backend.open();
      stores = backend.multiProcess ? [opened.store, await opened.openAnother!()] : [opened.store, opened.store];
    });
    after(() => opened.cleanup());

    test('sections under one name never overlap, whichever store runs them; other names are not held up', async () => {
      let inside = 0;
      let most = 0;
      const section = (store: Store) => store.exclusively('contract-section', async () => {
        most = Math.max(most, ++inside);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inside--;
        return store.backend;
      });
      const results = await Promise.all([...stores, ...stores, ...stores].map(section));
      assert.equal(most, 1);
      assert.equal(results.length, 6);
      // A section that throws releases the lock.
      await assert.rejects(stores[0]!.exclusively('contract-section', async () => { throw new Error('inside'); }), /inside/);
      assert.equal(await stores[1]!.exclusively('contract-section', async () => 'after'), 'after');
      // Another name runs while one is held.
      let release!: () => void;
      const held = stores[0]!.exclusively('contract-held', () => new Promise<void>((resolve) => (release = resolve)));
      assert.equal(await stores[1]!.exclusively('contract-other', async () => 'free'), 'free');
      release();
      await held;
    });

    test('a revoked key and a deleted project are announced to every store over the data', async () => {
      const changes: CacheInvalidation[] = [];
      const stop = stores[1]!.onInvalidation((change) => changes.push(change));
      try {
        const project = await stores[0]!.createProject({ name: 'Invalidated' });
        const extra = await stores[0]!.createProjectKey(project.id, 'second');
        assert.equal(await stores[0]!.revokeProjectKey(project.id, extra.publicKey), 'revoked');
        await heard(changes, (c) => c.kind === 'project_key' && c.publicKey === extra.publicKey);
        // A refused revocation announces nothing.
        assert.equal(await stores[0]!.revokeProjectKey(project.id, project.publicKey), 'last_key');
        const keys = await stores[0]!.deleteProject(project.id);
        assert.deepEqual(keys, [project.publicKey]);
        await heard(changes, (c) => c.kind === 'project' && c.projectId === project.id && c.publicKeys.includes(project.publicKey));
        assert.equal(changes.filter((c) => c.kind === 'project_key').length, 1);
      } finally {
        stop();
      }
    });

    test('a stored artifact bundle is announced to every store over the data, with its project', async () => {
      const changes: CacheInvalidation[] = [];
      const stop = stores[1]!.onInvalidation((change) => changes.push(change));
      try {
        const project = await stores[0]!.createProject({ name: 'Maps announced' });
        const map = new TextEncoder().encode('{"version":3,"sources":[],"names":[],"mappings":""}');
        await stores[0]!.saveBundle(
          {
            projectId: project.id,
            checksum: 'c0ffee'.padEnd(40, '0'),
            release: null,
            dist: null,
            size: map.byteLength,
            files: [{ url: '~/app.js.map', type: 'source_map', debugId: '0d6a2f3e-0c1f-4b8a-9d3e-2a1b3c4d5e6f', sourcemapUrl: null, content: map }],
          },
          1_000_000,
        );
        await heard(changes, (c) => c.kind === 'artifacts' && c.projectId === project.id);
      } finally {
        stop();
      }
    });
  });
}
