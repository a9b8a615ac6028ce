/**
 * The @sentry/esbuild-plugin flow against the server (the same plugin core as webpack's, without
 * webpack's weight): an esbuild bundle of the small app with the plugin pointed at the server (url,
 * org "default", a Proliferate API token) injects debug IDs and uploads the bundle when the build
 * ends; the build then runs under @sentry/node and its error is symbolicated and grouped on the
 * original names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sentryEsbuildPlugin } from '@sentry/esbuild-plugin';
import { build } from 'esbuild';
import { getEvent, lastJsonLine, listIssues, runFixture, v1Fingerprint } from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const appDir = fileURLToPath(new URL('./fixtures/sourcemap-app/', import.meta.url));
const runner = fileURLToPath(new URL('./fixtures/sourcemap-runner.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED = v1Fingerprint('TypeError', [['validateCard', 'checkout.js'], ['chargeCard', 'payment.js'], ['processPayment', 'payment.js']]);

describe('@sentry/esbuild-plugin uploads to the server and the build groups on original names', () => {
  let server: RunningServer;
  let outDir: string;
  let eventId: string;

  before(async () => {
    server = await startServer();
    outDir = mkdtempSync(join(tmpdir(), 'proliferate-esbuild-plugin-'));
    await build({
      entryPoints: [join(appDir, 'main.js')],
      bundle: true,
      minify: true,
      // The plugin uploads the maps of the build's output; esbuild writes them beside the bundle.
      sourcemap: true,
      format: 'esm',
      outfile: join(outDir, 'app.mjs'),
      logLevel: 'silent',
      plugins: [
        sentryEsbuildPlugin({
          url: `${server.url}/`,
          org: 'default',
          project: 'default',
          authToken: server.adminToken!,
          release: { name: 'esbuild@1.0.0' },
          telemetry: false,
          silent: true,
        }),
      ],
    });
    const stdout = await runFixture(process.execPath, [runner, join(outDir, 'app.mjs'), 'esbuild@1.0.0'], { SENTRY_DSN: server.dsn }, testsDir);
    eventId = lastJsonLine<{ eventId: string }>(stdout).eventId;
  });
  after(async () => {
    await server?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('the plugin injected a debug ID and uploaded an artifact bundle for the release', async () => {
    assert.match(readFileSync(join(outDir, 'app.mjs'), 'utf8'), /_sentryDebugIds/);
    const bundles = await server.api(`/api/0/projects/${server.projectId}/artifact-bundles/`);
    assert.equal(bundles.status, 200);
    assert.ok(bundles.body.length >= 1);
    const release = await server.api(`/api/0/projects/${server.projectId}/releases/esbuild@1.0.0/`);
    assert.equal(release.status, 200);
  });

  test('the error is one issue with the v1 fingerprint of the original names and original frames', async () => {
    const issues = (await listIssues(server)).filter((i) => i.type === 'error');
    assert.deepEqual(issues.map((i) => i.fingerprint), [EXPECTED]);
    const event = await getEvent(server, eventId);
    const top = event.exception.values.at(-1).stacktrace.frames.at(-1);
    assert.equal(top.function, 'validateCard');
    assert.match(top.filename, /checkout\.js$/);
    assert.match(top.context_line, /card number is invalid/);
    assert.deepEqual(event.processingErrors ?? [], []);
  });
});
