import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseStoreContract } from '../contract/release-store.contract.js';
import { SqliteStore } from './store.js';

releaseStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proliferate-release-store-'));
  const store = new SqliteStore({ dataDir: dir });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
