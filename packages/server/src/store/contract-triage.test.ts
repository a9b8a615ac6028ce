/** The triage contract (contract/triage-store.contract.ts) on every backend of contract.fixtures.ts. */
import { BACKENDS } from './contract.fixtures.js';
import { triageStoreContract } from './contract/triage-store.contract.js';

for (const backend of BACKENDS) {
  triageStoreContract(backend.name, async () => {
    const opened = await backend.open();
    return { store: opened.store, close: () => opened.cleanup() };
  });
}
