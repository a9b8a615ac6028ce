/**
 * `npm run bench` runs every section but peers; `npm run bench -- ingest`, `-- queries`, `-- traces`, `-- symbolication`,
 * `-- alerts`, `-- overload`, `-- retention` or `-- peers` (Bugsink beside Proliferate) runs one.
 * A benchmark, not a test: it prints figures against targets and exits 0 unless something broke.
 */
import { alertsTable, runAlerts } from './alerts.js';
import { ingestTable, runIngest } from './ingest.js';
import { overloadTable, runOverload } from './overload.js';
import { queriesTable, runQueries } from './queries.js';
import { log, machine, verdict, type Row } from './report.js';
import { runSymbolication, symbolicationTable } from './symbolication.js';
import { peersTable, runPeers } from './peers.js';
import { postgresIngestTable, runPostgresIngest } from './postgres-ingest.js';
import { runTraces, tracesTable } from './traces.js';
import { retentionTable, runRetention } from './retention.js';

const SECTIONS = ['ingest', 'queries', 'traces', 'symbolication', 'alerts', 'overload', 'retention', 'peers'] as const;
/** Run only when named: it installs Bugsink from PyPI on first use. */
const DEFAULT_SECTIONS: Section[] = ['ingest', 'queries', 'traces', 'symbolication', 'alerts', 'overload', 'retention'];
type Section = (typeof SECTIONS)[number];

// `--store postgres` adds PostgreSQL figures beside SQLite's in the same run (ingest, queries and alerts).
const args = process.argv.slice(2);
const storeAt = args.indexOf('--store');
const store = storeAt >= 0 ? args[storeAt + 1] : 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') {
  console.error(`unknown store "${store}"; use sqlite or postgres`);
  process.exit(2);
}
const requested = args.filter((a, i) => !a.startsWith("-") && (storeAt < 0 || i !== storeAt + 1));
for (const name of requested) {
  if (!SECTIONS.includes(name as Section)) {
    console.error(`unknown section "${name}"; use one of: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const sections: Section[] = requested.length ? (requested as Section[]) : DEFAULT_SECTIONS;

const started = Date.now();
const output: string[] = [`Proliferate bench, ${new Date().toISOString()}`, machine()];
console.log(output.join('\n'));
const all: Row[] = [];

for (const section of sections) {
  const t = Date.now();
  const run = { ingest: runIngest, queries: runQueries, traces: runTraces, symbolication: runSymbolication, alerts: runAlerts, overload: runOverload, peers: runPeers, retention: runRetention }[section];
  let rows = await run();
  let text = { ingest: ingestTable, queries: queriesTable, traces: tracesTable, symbolication: symbolicationTable, alerts: alertsTable, overload: overloadTable, peers: peersTable, retention: retentionTable }[section](rows);
  if (store === 'postgres' && (section === 'ingest' || section === 'queries' || section === 'alerts')) {
    const pgRows = section === 'ingest' ? await runPostgresIngest() : section === 'alerts' ? await runAlerts('postgres') : await runQueries('postgres');
    text += '\n' + (section === 'ingest' ? postgresIngestTable(pgRows) : section === 'alerts' ? alertsTable(pgRows, 'PostgreSQL') : queriesTable(pgRows));
    rows = [...rows, ...pgRows];
  }
  log(`${section} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  console.log(text);
  all.push(...rows);
}

const targets = all.filter((r) => r.target);
const passed = targets.filter((r) => verdict(r) === 'PASS').length;
console.log(`\n${passed}/${targets.length} targets met; total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
