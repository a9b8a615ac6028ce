/**
 * `proliferate backup` while events are being ingested, then `proliferate restore` into a fresh
 * data directory (SQLite) or an empty database (PostgreSQL, with PROLIFERATE_TEST_STORE=postgres):
 * the restored server starts and has every event acknowledged before the backup began.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { cliPath, startServer, type RunningServer } from '../helpers/server.js';

const run = promisify(execFile);

describe('backup while ingesting, restore into a fresh store', { timeout: 180_000 }, () => {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test('the restored server shows every event acknowledged before the backup began', async () => {
    const server: RunningServer = await startServer({ env: { PROLIFERATE_LOG_LEVEL: 'silent' } });
    cleanups.push(() => server.stop());
    const work = mkdtempSync(join(tmpdir(), 'proliferate-backup-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));

    const acked: string[] = [];
    let sending = true;
    let seq = 0;
    const sender = async () => {
      while (sending) {
        const eventId = (0xb0000000 + ++seq).toString(16).padStart(32, '0');
        const response = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, {
          method: 'POST',
          body: JSON.stringify({ event_id: eventId, message: `backup ${seq % 7}`, tags: { n: String(seq) } }),
        });
        if (response.status === 200) acked.push(eventId);
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 300) await new Promise((r) => setTimeout(r, 20));

    const ackedBefore = [...acked];
    const file = join(work, 'snapshot.backup');
    const backup = await run(process.execPath, [cliPath, 'backup', '--to', file, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
    assert.match(backup.stdout, /backed up/);
    const ackedDuring = acked.length - ackedBefore.length;
    await new Promise((r) => setTimeout(r, 300));
    sending = false;
    await Promise.all(senders);
    assert.ok(acked.length > ackedBefore.length, `ingest went on during the backup (${ackedDuring} acked while it ran)`);
    await server.stop({ keepData: true });

    // Restore into a new data directory, or a new empty PostgreSQL database.
    const restoredDir = join(work, 'restored');
    let restoredEnv: Record<string, string> = {};
    if (server.storeEnv.PROLIFERATE_DATABASE_URL) {
      const db: TestDatabase = await createTestDatabase('life1_restore');
      cleanups.push(() => db.drop());
      restoredEnv = { PROLIFERATE_DATABASE_URL: db.url };
    }
    const restored = await run(process.execPath, [cliPath, 'restore', '--from', file, '--data-dir', restoredDir], { env: { ...process.env, ...restoredEnv } });
    assert.match(restored.stdout, /restored/);
    const again = await run(process.execPath, [cliPath, 'restore', '--from', file, '--data-dir', restoredDir], { env: { ...process.env, ...restoredEnv } }).catch((error) => error);
    assert.equal(again.code, 2, 'restoring over an existing store is refused (as a usage error)');
    assert.match(again.stderr, /already holds a store|not empty/);

    const second = await startServer({ dataDir: restoredDir, env: { ...restoredEnv, PROLIFERATE_LOG_LEVEL: 'silent' }, adminToken: server.adminToken });
    cleanups.push(() => second.stop());
    const missing: string[] = [];
    for (const id of ackedBefore) {
      if ((await second.api(`/api/0/projects/${server.projectId}/events/${id}/`)).status !== 200) missing.push(id);
    }
    assert.deepEqual(missing, [], `${ackedBefore.length} events acknowledged before the backup`);
    const issues = (await second.api<Array<{ count: number }>>(`/api/0/projects/${server.projectId}/issues/?limit=100`)).body;
    const counted = issues.reduce((sum, i) => sum + i.count, 0);
    assert.ok(counted >= ackedBefore.length && counted <= acked.length, `issue counts (${counted}) cover the restored events`);
    // The restored server takes new events.
    const fresh = await fetch(`${second.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify({ message: 'after restore' }) });
    assert.equal(fresh.status, 200);
  });
});
