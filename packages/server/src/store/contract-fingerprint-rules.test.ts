/** The fingerprint rules contract (contract/fingerprint-rules.contract.ts) on every backend of contract.fixtures.ts. */
import { BACKENDS } from './contract.fixtures.js';
import { fingerprintRuleStoreContract } from './contract/fingerprint-rules.contract.js';

for (const backend of BACKENDS) {
  fingerprintRuleStoreContract(backend.name, async () => {
    const opened = await backend.open();
    return { store: opened.store, close: () => opened.cleanup() };
  });
}
