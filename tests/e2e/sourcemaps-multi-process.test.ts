/**
 * Source maps with several server processes on one PostgreSQL database (docs/scaling.md), always on
 * PostgreSQL: maps uploaded through process A must symbolicate the events process B takes, without
 * a restart. B learns of the upload from the store's invalidation channel (LISTEN/NOTIFY). Without
 * it, B would map a release's files only after a restart: which projects have maps is read at start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { greetBundle, minifiedGreet, sendMinifiedError, storedEvent, uploadBundle } from '../helpers/artifact-bundles.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const sentryCli = join(require.resolve('@sentry/cli/package.json'), '..', 'bin', 'sentry-cli');

/** Sends events through `server` until one comes back symbolicated (and says how many it took); fails after `ms`. */
async function firstSymbolicated(server: RunningServer, send: () => Promise<string>, ms: number): Promise<{ event: any; sent: number }> {
  const started = Date.now();
  const seen: unknown[] = [];
  while (Date.now() - started < ms) {
    const event = await storedEvent(server, await send());
    const frame = event.exception.values[0].stacktrace.frames[0];
    if (frame.data?.symbolicated) return { event, sent: seen.length + 1 };
    seen.push({ function: frame.function, processingErrors: event.processingErrors });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`no event through process B was symbolicated within ${ms} ms: ${JSON.stringify(seen.slice(-3))}`);
}

describe('two server processes on one PostgreSQL: maps uploaded through A symbolicate events sent to B', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let workDir: string;

  before(async () => {
    database = await createTestDatabase('smaps_multi');
    const env = { PROLIFERATE_DATABASE_URL: database.url };
    a = await startServer({ env });
    // Started after A so the admin token A created exists; the token works on both.
    b = await startServer({ env, adminToken: a.adminToken });
    workDir = mkdtempSync(join(tmpdir(), 'proliferate-smaps-multi-'));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('sentry-cli uploads a release (no debug IDs) through A; events of that release through B map by URL without a restart', async (t) => {
    const built = await minifiedGreet({ withSources: true });
    // Before the upload B maps nothing of this release: it has never heard of maps in this project.
    const before = await storedEvent(b, await sendMinifiedError(b, built, { release: 'multi@1' }));
    assert.equal(before.exception.values[0].stacktrace.frames[0].function, 'n');

    writeFileSync(join(workDir, 'app.min.js'), `${built.code}//# sourceMappingURL=app.min.js.map\n`);
    writeFileSync(join(workDir, 'app.min.js.map'), built.map);
    const { stdout } = await run(
      sentryCli,
      ['--url', `${a.url}/`, 'sourcemaps', '--org', 'default', '--project', 'default', 'upload', '--release', 'multi@1', workDir],
      { env: { ...process.env, SENTRY_AUTH_TOKEN: a.adminToken!, SENTRY_LOG_LEVEL: 'warn' } },
    );
    assert.match(stdout, /artifact bundle/);

    // NOTIFY reaches B within milliseconds; the bound is slack for a loaded machine. Without the
    // channel no number of retries would do: B reads which projects have maps only at start.
    const { event, sent } = await firstSymbolicated(b, () => sendMinifiedError(b, built, { release: 'multi@1' }), 15_000);
    t.diagnostic(`events sent through B after the upload until one was symbolicated: ${sent}`);
    const frame = event.exception.values[0].stacktrace.frames[0];
    assert.deepEqual([frame.function, frame.filename, frame.lineno], ['greet', 'src/greet.js', 3]);
    assert.match(frame.context_line, /throw new RangeError/);
    assert.deepEqual(event.processingErrors ?? [], []);
  });

  test('B remembered "no map" for a debug ID; an upload of that map through A makes B map the next events', async (t) => {
    const built = await minifiedGreet({ withSources: true });
    const debugId = randomUUID();
    const missing = await storedEvent(b, await sendMinifiedError(b, built, { debugId }));
    assert.deepEqual(missing.processingErrors.map((e: { type: string }) => e.type), ['js_no_source']);

    await uploadBundle(a, greetBundle(built, debugId));
    const { event, sent } = await firstSymbolicated(b, () => sendMinifiedError(b, built, { debugId }), 15_000);
    t.diagnostic(`events sent through B after the upload until one was symbolicated: ${sent}`);
    assert.equal(event.exception.values[0].stacktrace.frames[0].function, 'greet');
    assert.deepEqual(event.processingErrors ?? [], []);
  });
});
