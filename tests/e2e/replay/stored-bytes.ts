/**
 * What the store holds, for privacy checks, on either backend:
 * - SQLite: the database and WAL files as bytes.
 * - PostgreSQL: the test database's files, the WAL segments written during the test (the cluster's
 *   WAL is shared, so only recent segments are read), and every row of every table as text (what
 *   PostgreSQL may hold compressed on disk, decompressed).
 * And every stored replay segment, inflated.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { RunningServer } from '../../helpers/server.ts';

/** WAL segments modified this recently are read (a test file runs for about two minutes). */
const RECENT_WAL_MS = 10 * 60_000;

async function withPostgres<T>(server: RunningServer, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.storeEnv.PROLIFERATE_DATABASE_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function filesUnder(dir: string, since = 0): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && statSync(join(dir, e.name)).mtimeMs >= since)
    .map((e) => join(dir, e.name));
}

/** Where each needle appears (as UTF-8 or UTF-16) in what the store holds: empty when nowhere. */
export async function findInStoredBytes(server: RunningServer, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const check = (name: string, bytes: Buffer) => {
    for (const needle of needles) if (containsText(bytes, needle)) found.push(`${needle} in ${name}`);
  };
  if (!server.storeEnv.PROLIFERATE_DATABASE_URL) {
    for (const file of readdirSync(server.dataDir).filter((f) => f.startsWith('proliferate.sqlite3'))) check(file, readFileSync(join(server.dataDir, file)));
    return found;
  }
  await withPostgres(server, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public'`,
    );
    for (const { name } of tables) {
      const { rows } = await client.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM ${name} t`);
      check(`table ${name}`, Buffer.from(rows[0]?.text ?? '', 'utf8'));
    }
    const { rows: [where] } = await client.query<{ dir: string; oid: number }>(
      `SELECT current_setting('data_directory') AS dir, oid FROM pg_database WHERE datname = current_database()`,
    );
    const files = [...filesUnder(join(where!.dir, 'base', String(where!.oid))), ...filesUnder(join(where!.dir, 'pg_wal'), Date.now() - RECENT_WAL_MS)];
    for (const file of files) check(file, readFileSync(file));
  });
  return found;
}

export async function storedSegments(server: RunningServer): Promise<Array<{ segmentId: number; json: string }>> {
  const inflate = (rows: Array<{ segment_id: number; recording: Buffer }>) =>
    rows.map((r) => ({ segmentId: r.segment_id, json: inflateSync(r.recording).toString('utf8') }));
  const sql = 'SELECT segment_id, recording FROM replay_segments ORDER BY replay_row, segment_id';
  if (server.storeEnv.PROLIFERATE_DATABASE_URL) return withPostgres(server, async (client) => inflate((await client.query(sql)).rows));
  const db = new Database(join(server.dataDir, 'proliferate.sqlite3'), { readonly: true });
  try {
    return inflate(db.prepare(sql).all() as Array<{ segment_id: number; recording: Buffer }>);
  } finally {
    db.close();
  }
}

/** True when `needle` appears in `haystack` as UTF-8 or UTF-16 (how SQLite might hold text). */
export function containsText(haystack: Buffer, needle: string): boolean {
  return haystack.includes(Buffer.from(needle, 'utf8')) || haystack.includes(Buffer.from(needle, 'utf16le'));
}
