/**
 * The @sentry/webpack-plugin flow against the server, with real webpack 5: a production build of the
 * small app (webpack's own terser minifier, module concatenation, `devtool: 'source-map'`) with the
 * plugin pointed at the server (url, org "default", a Proliferate API token) injects debug IDs and
 * uploads the build's maps when webpack has emitted them; the build then runs under @sentry/node
 * and its error is symbolicated and grouped on the original names, like the esbuild and Vite flows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sentryWebpackPlugin } from '@sentry/webpack-plugin';
import webpack from 'webpack';
import { getEvent, lastJsonLine, listIssues, runFixture, v1Fingerprint } from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const appDir = fileURLToPath(new URL('./fixtures/sourcemap-app/', import.meta.url));
const runner = fileURLToPath(new URL('./fixtures/sourcemap-runner.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED = v1Fingerprint('TypeError', [['validateCard', 'checkout.js'], ['chargeCard', 'payment.js'], ['processPayment', 'payment.js']]);
const RELEASE = 'webpack@1.0.0';

/** Runs one webpack build; rejects with webpack's own errors when it fails. */
function runWebpack(config: webpack.Configuration): Promise<webpack.Stats> {
  return new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) reject(error);
        else if (!stats || stats.hasErrors()) reject(new Error(stats?.toString({ all: false, errors: true }) ?? 'webpack gave no stats'));
        else resolve(stats);
      });
    });
  });
}

describe('@sentry/webpack-plugin uploads a webpack production build to the server and its error groups on original names', () => {
  let server: RunningServer;
  let outDir: string;
  let eventId: string;

  before(async () => {
    server = await startServer();
    outDir = mkdtempSync(join(tmpdir(), 'proliferate-webpack-plugin-'));
    await runWebpack({
      mode: 'production',
      target: 'node',
      context: appDir,
      entry: './main.js',
      devtool: 'source-map',
      // An ES module the runner imports (`run` is the entry's export).
      experiments: { outputModule: true },
      output: { path: outDir, filename: 'app.mjs', module: true, library: { type: 'module' } },
      infrastructureLogging: { level: 'error' },
      plugins: [
        sentryWebpackPlugin({
          url: `${server.url}/`,
          org: 'default',
          project: 'default',
          authToken: server.adminToken!,
          release: { name: RELEASE },
          telemetry: false,
          silent: true,
        }),
      ],
    });
    const stdout = await runFixture(process.execPath, [runner, join(outDir, 'app.mjs'), RELEASE], { SENTRY_DSN: server.dsn }, testsDir);
    eventId = lastJsonLine<{ eventId: string }>(stdout).eventId;
  });
  after(async () => {
    await server?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('webpack minified the app; the plugin injected a debug ID and uploaded an artifact bundle for the release', async () => {
    const code = readFileSync(join(outDir, 'app.mjs'), 'utf8');
    assert.match(code, /_sentryDebugIds/);
    assert.doesNotMatch(code, /function validateCard/, 'the production build mangled the names');
    assert.ok(readdirSync(outDir).includes('app.mjs.map'));
    const bundles = await server.api(`/api/0/projects/${server.projectId}/artifact-bundles/`);
    assert.equal(bundles.status, 200);
    assert.ok(bundles.body.length >= 1);
    assert.equal((await server.api(`/api/0/projects/${server.projectId}/releases/${RELEASE}/`)).status, 200);
  });

  test('the error is one issue with the v1 fingerprint of the original names; frames have the original function, file, line and context', async () => {
    const event = await getEvent(server, eventId);
    const value = event.exception.values.at(-1);
    const top = value.stacktrace.frames.at(-1);
    assert.deepEqual(event.processingErrors ?? [], []);
    assert.equal(top.function, 'validateCard', JSON.stringify(value.stacktrace.frames.slice(-4)));
    assert.match(top.filename, /checkout\.js$/);
    assert.equal(top.lineno, 5);
    assert.match(top.context_line, /card number is invalid/);
    assert.match(value.raw_stacktrace.frames.at(-1).filename ?? value.raw_stacktrace.frames.at(-1).abs_path, /app\.mjs$/);
    const issues = (await listIssues(server)).filter((i) => i.type === 'error');
    assert.deepEqual(issues.map((i) => i.fingerprint), [EXPECTED]);
  });
});
