import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DATABASE_FILE } from '../store/sqlite/store.js';

export class MissingStoreError extends Error {}

export interface FoundDataDir {
  dir: string;
  /** Where the directory came from, said in error messages. */
  source: '--data-dir' | 'PROLIFERATE_DATA_DIR' | 'found' | 'default';
}

const hasStore = (dir: string) => existsSync(join(dir, DATABASE_FILE));

/**
 * The data directory of a command other than `serve`, chosen as the server chooses it
 * (--data-dir, then PROLIFERATE_DATA_DIR, then ./.proliferate), except that without either a
 * `.proliferate` holding a store is also looked for in the parent folders, because `npm start`
 * creates it at the repository root and people run the CLI from anywhere inside.
 */
export function findDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FoundDataDir {
  if (flag) return { dir: resolve(cwd, flag), source: '--data-dir' };
  if (env.PROLIFERATE_DATA_DIR) return { dir: resolve(cwd, env.PROLIFERATE_DATA_DIR), source: 'PROLIFERATE_DATA_DIR' };
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (hasStore(join(dir, '.proliferate'))) return { dir: join(dir, '.proliferate'), source: dir === resolve(cwd) ? 'default' : 'found' };
    if (dirname(dir) === dir) break;
  }
  return { dir: resolve(cwd, '.proliferate'), source: 'default' };
}

/** Only `serve` creates a store: any other command on a directory without one is refused. */
export function requireExistingStore(found: FoundDataDir): string {
  if (hasStore(found.dir)) return found.dir;
  const where =
    found.source === 'default'
      ? `${found.dir} (nor in a .proliferate folder above the current one)`
      : `${found.dir} (from ${found.source})`;
  throw new MissingStoreError(
    `no Proliferate store in ${where}.\n` +
      'Run this command in the folder where the server runs ("npm start" keeps its data in .proliferate there),\n' +
      'or pass --data-dir DIR (or PROLIFERATE_DATA_DIR). Only "proliferate serve" creates a new store.',
  );
}
