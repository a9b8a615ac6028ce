/**
 * `npm run bench` runs every section; `npm run bench -- ingest`, `-- queries`, `-- traces` or `-- alerts` runs one.
 * A benchmark, not a test: it prints figures against targets and exits 0 unless something broke.
 */
import { alertsTable, runAlerts } from './alerts.js';
import { ingestTable, runIngest } from './ingest.js';
import { queriesTable, runQueries } from './queries.js';
import { log, machine, verdict, type Row } from './report.js';
import { runTraces, tracesTable } from './traces.js';

const SECTIONS = ['ingest', 'queries', 'traces', 'alerts'] as const;
type Section = (typeof SECTIONS)[number];

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of requested) {
  if (!SECTIONS.includes(name as Section)) {
    console.error(`unknown section "${name}"; use one of: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const sections: Section[] = requested.length ? (requested as Section[]) : [...SECTIONS];

const started = Date.now();
const output: string[] = [`Proliferate bench, ${new Date().toISOString()}`, machine()];
console.log(output.join('\n'));
const all: Row[] = [];

for (const section of sections) {
  const t = Date.now();
  const rows =
    section === 'ingest' ? await runIngest() : section === 'queries' ? await runQueries() : section === 'alerts' ? await runAlerts() : await runTraces();
  const text =
    section === 'ingest' ? ingestTable(rows) : section === 'queries' ? queriesTable(rows) : section === 'alerts' ? alertsTable(rows) : tracesTable(rows);
  log(`${section} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  console.log(text);
  all.push(...rows);
}

const targets = all.filter((r) => r.target);
const passed = targets.filter((r) => verdict(r) === 'PASS').length;
console.log(`\n${passed}/${targets.length} targets met; total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
