/**
 * The backends the store contract suite (contract.test.ts) runs on, and the events it writes. Every
 * backend gets the same calls and must give the same answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../../../tests/helpers/postgres.js';
import { digestEvent } from '../digest/digest.js';
import { PostgresStore } from './postgres/store.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

export interface OpenedStore {
  store: Store;
  /** Another store over the same data, as a second server process would open it (null: not supported). */
  openAnother: (() => Promise<Store>) | null;
  cleanup(): Promise<void>;
}

export const BACKENDS: Array<{ name: string; /** Several server processes may share its data. */ multiProcess: boolean; open(): Promise<OpenedStore> }> = [
  {
    name: 'sqlite',
    multiProcess: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'proliferate-contract-'));
      const store = new SqliteStore({ dataDir: dir });
      return {
        store,
        openAnother: null,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    multiProcess: true,
    async open() {
      const db = await createTestDatabase('contract');
      const store = await PostgresStore.open({ url: db.url });
      const others: Store[] = [];
      return {
        store,
        async openAnother() {
          const other = await PostgresStore.open({ url: db.url });
          others.push(other);
          return other;
        },
        async cleanup() {
          for (const other of others) await other.close();
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

export const HOUR = 3_600_000;
export const BASE = Date.UTC(2026, 10, 20, 10, 0, 0);

/** An error event: `type` decides the issue (one frame), offset the time, with tags, user and release. */
export function errorEvent(projectId: number, id: number, type: string, offsetMs: number, tags: Record<string, string>, user?: string, release?: string) {
  return digestEvent(
    {
      event_id: id.toString(16).padStart(32, '0'),
      timestamp: (BASE + offsetMs) / 1000,
      release,
      user: user ? { id: user } : undefined,
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags,
    },
    projectId,
    { receivedMs: BASE + offsetMs },
  );
}
