import { ConfigError, type StoreConfig } from '../config.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /**
   * False for a process that only administers (the CLI's project and token commands): it never
   * writes events, so SQLite starts no writer thread.
   */
  ingest?: boolean;
}

/**
 * Opens the configured store: the only place that picks a backend. A postgres:// URL selects
 * PostgreSQL; without one, SQLite in the data directory. Backends are imported on demand so a
 * process loads only the driver it uses.
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.databaseUrl !== null) {
    throw new ConfigError(
      'PROLIFERATE_DATABASE_URL (or --database-url) selects PostgreSQL, but the PostgreSQL backend is not in this build; ' +
        'leave it unset to use SQLite in the data directory',
    );
  }
  const { SqliteStore } = await import('./sqlite/store.js');
  return new SqliteStore({ dataDir: config.dataDir, withWriter: options.ingest !== false });
}
