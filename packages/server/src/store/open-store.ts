import type { StoreConfig } from '../config.js';
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
    const { PostgresStore } = await import('./postgres/store.js');
    // An admin process leaves partition upkeep to the servers.
    return PostgresStore.open({ url: config.databaseUrl, maintain: options.ingest !== false });
  }
  const { SqliteStore } = await import('./sqlite/store.js');
  return new SqliteStore({ dataDir: config.dataDir, withWriter: options.ingest !== false });
}
