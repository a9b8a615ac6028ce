import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from '../store/postgres/store.js';
import { DATABASE_FILE, SqliteStore } from '../store/sqlite/store.js';

export const MIGRATE_HELP = `Usage: proliferate migrate --from-sqlite DIR --database-url URL

Copies the SQLite install in DIR (stop its server first) into the PostgreSQL database at URL
(or PROLIFERATE_DATABASE_URL), keeping every id, then compares row counts table by table.
Interrupted, it resumes where it stopped when run again. Start the server with --database-url
afterwards; DIR is left as it was.`;

const WIDTH = 30;

function bar(table: string, copied: number, total: number): string {
  const done = total === 0 ? 1 : Math.min(1, copied / total);
  const filled = Math.round(done * WIDTH);
  return `\r${table.padEnd(17)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ${copied.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}

export async function migrateFromSqlite(dataDir: string, url: string): Promise<boolean> {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new Error(`${file} does not exist: --from-sqlite takes the data directory of a SQLite install`);
  // Opening the SQLite store once applies what its writer had gathered but not applied (journal).
  await new SqliteStore({ dataDir }).close();
  const store = await PostgresStore.open({ url, maintain: false });
  try {
    let current = '';
    const report = await store.copyFromSqlite(file, ({ table, copied, total }) => {
      if (table !== current && current) process.stderr.write('\n');
      current = table;
      process.stderr.write(bar(table, copied, total));
    });
    process.stderr.write('\n');
    for (const t of report.tables) {
      console.log(`${t.name.padEnd(17)} sqlite ${String(t.sqlite).padStart(10)}  postgres ${String(t.postgres).padStart(10)}  ${t.sqlite === t.postgres ? 'ok' : 'DIFFERENT'}`);
    }
    console.log(report.ok ? 'every table has the same number of rows: done' : 'some tables differ: see above');
    return report.ok;
  } finally {
    await store.close();
  }
}
