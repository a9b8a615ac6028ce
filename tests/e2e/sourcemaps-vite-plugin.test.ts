/**
 * The @sentry/vite-plugin flow against the server: a Vite library build of the same small app with
 * the plugin pointed at the server (url, org "default", a Proliferate API token) injects debug IDs
 * and uploads the bundle; the build then runs under @sentry/node and its error groups on the
 * original names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sentryVitePlugin } from '@sentry/vite-plugin';
import { build } from 'vite';
import { getEvent, lastJsonLine, listIssues, runFixture, v1Fingerprint } from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const appDir = fileURLToPath(new URL('./fixtures/sourcemap-app/', import.meta.url));
const runner = fileURLToPath(new URL('./fixtures/sourcemap-runner.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED = v1Fingerprint('TypeError', [['validateCard', 'checkout.js'], ['chargeCard', 'payment.js'], ['processPayment', 'payment.js']]);

describe('@sentry/vite-plugin uploads to the server and the build groups on original names', () => {
  let server: RunningServer;
  let outDir: string;
  let eventId: string;

  before(async () => {
    server = await startServer();
    outDir = mkdtempSync(join(tmpdir(), 'proliferate-vite-'));
    await build({
      root: appDir,
      logLevel: 'silent',
      configFile: false,
      build: {
        outDir,
        emptyOutDir: true,
        sourcemap: true,
        minify: 'esbuild',
        lib: { entry: join(appDir, 'main.js'), formats: ['es'], fileName: () => 'app.mjs' },
      },
      plugins: [
        sentryVitePlugin({
          url: `${server.url}/`,
          org: 'default',
          project: 'default',
          authToken: server.adminToken!,
          release: { name: 'vite@1.0.0' },
          telemetry: false,
        }),
      ],
    });
    const stdout = await runFixture(process.execPath, [runner, join(outDir, 'app.mjs'), 'vite@1.0.0'], { SENTRY_DSN: server.dsn }, testsDir);
    eventId = lastJsonLine<{ eventId: string }>(stdout).eventId;
  });
  after(async () => {
    await server?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('the plugin injected a debug ID and uploaded an artifact bundle for the release', async () => {
    const code = readFileSync(join(outDir, readdirSync(outDir).find((f) => f.endsWith('.mjs'))!), 'utf8');
    assert.match(code, /_sentryDebugIds/);
    const bundles = await server.api(`/api/0/projects/${server.projectId}/artifact-bundles/`);
    assert.equal(bundles.status, 200);
    assert.ok(bundles.body.length >= 1);
    const release = await server.api(`/api/0/projects/${server.projectId}/releases/vite@1.0.0/`);
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
  });
});
