import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Time partitions of the large time-ordered tables. Each has one partition per week (Monday 00:00
 * UTC to the next Monday, epoch milliseconds, named `<table>_w<yyyymmdd>`) and a DEFAULT partition
 * for rows outside every week created so far (an old timestamp, a week not created yet).
 *
 * Weeks from one week back to four weeks ahead are created when a process starts and every six
 * hours after, under the migration lock. A week whose rows already reached the default partition
 * (created late) takes them with it: its table is made standalone, the rows are moved out of the
 * default, then it is attached. Retention drops whole weeks: DETACH and DROP a week's partitions
 * of all four tables, and delete event_ids rows older than it (indexed by timestamp).
 *
 * Why weeks: a 30- or 90-day retention keeps at most one extra week; daily partitions would mean
 * hundreds of tables to plan over for a long retention, monthly ones a month of extra disk.
 */
export const PARTITIONED: ReadonlyArray<{ table: 'events' | 'event_tags' | 'spans' | 'logs'; column: string }> = [
  { table: 'events', column: 'timestamp' },
  { table: 'event_tags', column: 'timestamp' },
  { table: 'spans', column: 'start_ms' },
  { table: 'logs', column: 'timestamp_ms' },
];

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7 days. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;
export const WEEKS_BEHIND = 1;
export const WEEKS_AHEAD = 4;

export function weekStart(ms: number): number {
  return Math.floor((ms - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;
}

export function partitionName(table: string, from: number): string {
  return `${table}_w${new Date(from).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** Creates the missing weekly partitions around `now`. Runs inside the caller's locked transaction. */
export async function ensurePartitions(db: Kysely<Tables>, now: number): Promise<string[]> {
  const created: string[] = [];
  const first = weekStart(now) - WEEKS_BEHIND * WEEK_MS;
  for (let from = first; from <= first + (WEEKS_BEHIND + WEEKS_AHEAD) * WEEK_MS; from += WEEK_MS) {
    const to = from + WEEK_MS;
    for (const { table, column } of PARTITIONED) {
      const name = partitionName(table, from);
      const exists = await sql<{ r: string | null }>`SELECT to_regclass(${name}) AS r`.execute(db);
      if (exists.rows[0]?.r) continue;
      // Names and bounds are ours (table list above, integers), never input.
      const [parent, part, fallback, key] = [sql.table(table), sql.table(name), sql.table(`${table}_default`), sql.ref(column)];
      await sql`CREATE TABLE ${part} (LIKE ${parent} INCLUDING DEFAULTS)`.execute(db);
      await sql`WITH moved AS (DELETE FROM ${fallback} WHERE ${key} >= ${sql.lit(from)} AND ${key} < ${sql.lit(to)} RETURNING *)
        INSERT INTO ${part} SELECT * FROM moved`.execute(db);
      await sql`ALTER TABLE ${parent} ATTACH PARTITION ${part} FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(db);
      created.push(name);
    }
  }
  return created;
}
