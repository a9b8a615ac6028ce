/**
 * The release/artifact (contract/release-store.contract.ts) and replay (contract/replay-store.contract.ts)
 * contracts on every backend of contract.fixtures.ts: the same calls, the same answers.
 */
import { BACKENDS } from './contract.fixtures.js';
import { releaseStoreContract } from './contract/release-store.contract.js';
import { replayStoreContract } from './contract/replay-store.contract.js';

for (const backend of BACKENDS) {
  const open = async () => {
    const opened = await backend.open();
    return { store: opened.store, close: () => opened.cleanup() };
  };
  releaseStoreContract(backend.name, open);
  replayStoreContract(backend.name, open);
}
