/**
 * `proliferate backup --to FILE` and `proliferate restore --from FILE` (docs/operations.md#backup).
 * SQLite: SQLite's online backup API (better-sqlite3's `backup`) copies every page in one step, so
 * the copy is one consistent snapshot taken while the server keeps writing (WAL readers do not
 * block the writer). PostgreSQL: pg_dump, which dumps from one snapshot, and pg_restore into an
 * empty database; both must be on PATH (they come with the PostgreSQL client package).
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoreConfig } from '../config.js';
import { SCHEMA_VERSION } from '../store/sqlite/schema.js';
import { DATABASE_FILE } from '../store/sqlite/store.js';

export class BackupError extends Error {}

export const BACKUP_HELP = `Usage: proliferate backup --to FILE [--data-dir DIR | --database-url URL]
       proliferate restore --from FILE [--data-dir DIR | --database-url URL]

  backup    Writes a consistent snapshot while the server runs. SQLite: a copy of the database file
            (SQLite's online backup API). PostgreSQL: pg_dump --format=custom (needs pg_dump on PATH).
  restore   SQLite: into a data directory without a store (stop the server; a new directory is made
            if needed). PostgreSQL: pg_restore into an empty database. Start the server afterwards.`;

const SQLITE_MAGIC = 'SQLite format 3\u0000';

function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => fail(new BackupError(`${command} could not be run (${error.message}); install the PostgreSQL client tools`)));
    child.on('exit', (code) => (code === 0 ? done() : fail(new BackupError(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`))));
  });
}

export async function backup(config: StoreConfig, to: string): Promise<string> {
  const target = resolve(to);
  if (existsSync(target)) throw new BackupError(`${target} already exists; choose a new file`);
  mkdirSync(dirname(target), { recursive: true });
  if (config.databaseUrl) {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${target}`, `--dbname=${config.databaseUrl}`]);
    return `backed up PostgreSQL to ${target} (pg_dump custom format)`;
  }
  const source = new Database(join(config.dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  const partial = `${target}.partial`;
  try {
    // Every remaining page in one step: a step that copies only part would start over whenever
    // the server commits in between, and never end under steady ingest.
    await source.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  return `backed up ${join(config.dataDir, DATABASE_FILE)} to ${target}`;
}

export async function restore(config: StoreConfig, from: string): Promise<string> {
  const source = resolve(from);
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`);
  if (config.databaseUrl) {
    if (!head(source, 5).startsWith('PGDMP')) throw new BackupError(`${source} is not a pg_dump custom-format file (made by "proliferate backup" on PostgreSQL)`);
    const client = new pg.Client({ connectionString: config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      if (rows[0].n > 0) throw new BackupError('the target database is not empty: restore into a new, empty database (createdb NAME)');
    } finally {
      await client.end();
    }
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${config.databaseUrl}`, source]);
    return `restored ${source} into PostgreSQL`;
  }
  if (head(source, 16) !== SQLITE_MAGIC) throw new BackupError(`${source} is not a SQLite backup (made by "proliferate backup")`);
  const check = new Database(source, { readonly: true });
  try {
    const version = check.pragma('user_version', { simple: true }) as number;
    if (version < 1 || version > SCHEMA_VERSION) throw new BackupError(`${source} has schema version ${version}; this Proliferate reads 1 to ${SCHEMA_VERSION}`);
    const ok = check.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new BackupError(`${source} is damaged: ${String(ok)}`);
  } finally {
    check.close();
  }
  const target = join(config.dataDir, DATABASE_FILE);
  if (existsSync(target)) throw new BackupError(`${config.dataDir} already holds a store; restore into a new data directory (--data-dir), or move that one away first`);
  mkdirSync(config.dataDir, { recursive: true });
  copyFileSync(source, `${target}.partial`);
  renameSync(`${target}.partial`, target);
  return `restored ${source} into ${config.dataDir}; start the server with --data-dir ${config.dataDir}`;
}
