/**
 * Builds (or checks) the cached query data sets without timing anything, so `npm run bench --
 * queries` finds them ready: `node --import tsx bench/prepare-queries.ts [--store postgres]`.
 * Building takes minutes; run it outside the bench lock.
 */
import { ensureDataset } from './dataset.js';
import { ensurePostgresDataset } from './postgres-dataset.js';

await ensureDataset();
if (process.argv.includes('postgres')) await ensurePostgresDataset();
