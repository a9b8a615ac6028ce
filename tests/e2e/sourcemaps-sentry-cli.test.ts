/**
 * Source maps end to end with the real tools: the real `sentry-cli` from npm (its binary comes as
 * the optional npm package @sentry/cli-<platform>) injects debug IDs into two builds of one small
 * app, minified differently (esbuild; esbuild then terser with other mangling), and uploads them
 * to the server as artifact bundles; the official @sentry/node runs each build. Both errors must
 * make ONE issue whose fingerprint is the v1 value of the original names, computed here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { minify } from 'terser';
import { getEvent, lastJsonLine, listIssues, runFixture, v1Fingerprint } from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const sentryCli = join(require.resolve('@sentry/cli/package.json'), '..', 'bin', 'sentry-cli');
const appDir = fileURLToPath(new URL('./fixtures/sourcemap-app/', import.meta.url));
const runner = fileURLToPath(new URL('./fixtures/sourcemap-runner.mjs', import.meta.url));
const testsDir = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED = v1Fingerprint('TypeError', [['validateCard', 'checkout.js'], ['chargeCard', 'payment.js'], ['processPayment', 'payment.js']]);

/** Build A: esbuild's own minifier. */
async function buildWithEsbuild(outDir: string): Promise<void> {
  await build({ entryPoints: [join(appDir, 'main.js')], bundle: true, minify: true, sourcemap: true, format: 'esm', outfile: join(outDir, 'app.mjs'), logLevel: 'silent' });
}

/** Build B: an unminified esbuild bundle, then terser with top-level mangling and its own layout. */
async function buildWithTerser(outDir: string): Promise<void> {
  const result = await build({ entryPoints: [join(appDir, 'main.js')], bundle: true, sourcemap: 'external', format: 'esm', write: false, outfile: join(outDir, 'app.mjs') });
  mkdirSync(outDir, { recursive: true });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  // No compression: terser would inline the small functions, and the frames with them.
  // includeSources: terser leaves sourcesContent out by default, and sentry-cli then inlines the
  // sources by resolving the map's relative paths against its working directory, not the map's:
  // in a clone deeper than /a/b/c they were not found, the map went up without them, and build B's
  // frames had no context lines and (before the server read names from the minified code) kept the
  // mangled name `n`, silently. A self-contained map makes the test independent of where it runs;
  // sourcemap-notes.test.ts covers a map without sources.
  const out = await minify(code, {
    module: true,
    compress: false,
    mangle: { toplevel: true },
    format: { max_line_len: 60 },
    sourceMap: { content: map, url: 'app.mjs.map', filename: 'app.mjs', includeSources: true },
  });
  writeFileSync(join(outDir, 'app.mjs'), out.code!);
  writeFileSync(join(outDir, 'app.mjs.map'), String(out.map));
}

/** What a failure message needs to tell why an event stayed minified: its SDK, release, debug images, top frame and processing errors. */
function describeEvent(event: any): string {
  const value = event.exception?.values?.at(-1);
  return JSON.stringify({
    sdk: event.sdk?.name,
    release: event.release,
    images: event.debug_meta?.images,
    top: value?.stacktrace?.frames?.at(-1),
    processingErrors: event.processingErrors,
  });
}

async function cli(server: RunningServer, args: string[]): Promise<string> {
  const { stdout } = await run(sentryCli, ['--url', `${server.url}/`, ...args], {
    env: { ...process.env, SENTRY_AUTH_TOKEN: server.adminToken!, SENTRY_LOG_LEVEL: 'warn' },
  });
  return stdout;
}

describe('sentry-cli sourcemaps inject + upload, two differently minified builds under @sentry/node (and ours)', () => {
  let server: RunningServer;
  let workDir: string;
  const eventIds: string[] = [];

  before(async () => {
    server = await startServer();
    workDir = mkdtempSync(join(tmpdir(), 'proliferate-sourcemaps-'));
    const builds: Array<[string, string, (dir: string) => Promise<void>]> = [
      ['1.0.0', join(workDir, 'a'), buildWithEsbuild],
      ['1.1.0', join(workDir, 'b'), buildWithTerser],
    ];
    for (const [release, dir, make] of builds) {
      await make(dir);
      await run(sentryCli, ['sourcemaps', 'inject', dir]);
      await cli(server, ['releases', '--org', 'default', '--project', 'default', 'new', release]);
      const upload = await cli(server, ['sourcemaps', '--org', 'default', '--project', 'default', 'upload', '--release', release, dir]);
      assert.match(upload, /artifact bundle/);
      const stdout = await runFixture(process.execPath, [runner, join(dir, 'app.mjs'), release], { SENTRY_DSN: server.dsn }, testsDir);
      const report = lastJsonLine<{ eventId: string; flushed: boolean }>(stdout);
      assert.equal(report.flushed, true);
      eventIds.push(report.eventId);
    }
    // Our SDK runs build A too, with no release: only the debug ID it reports in debug_meta.images
    // can find the map.
    const stdout = await runFixture(process.execPath, [runner, join(workDir, 'a', 'app.mjs'), '', '@proliferate/sdk'], { SENTRY_DSN: server.dsn }, testsDir);
    eventIds.push(lastJsonLine<{ eventId: string }>(stdout).eventId);
  });
  after(async () => {
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('our SDK reports the bundle debug ID like @sentry/node: its event, without a release, is symbolicated', async () => {
    const ours = await getEvent(server, eventIds[2]!);
    assert.match(ours.sdk.name, /^proliferate\./);
    assert.equal(ours.release, undefined);
    const top = ours.exception.values.at(-1).stacktrace.frames.at(-1);
    assert.equal(top.function, 'validateCard');
    assert.equal(top.data.symbolicated, true);
  });

  test('the two builds really differ: other mangled names or columns at the throw', async () => {
    const [a, b] = await Promise.all(eventIds.map((id) => getEvent(server, id)));
    const rawTop = (event: any) => event.exception.values.at(-1).raw_stacktrace.frames.at(-1);
    const [ra, rb] = [rawTop(a), rawTop(b)];
    assert.ok(ra.function !== rb.function || ra.colno !== rb.colno || ra.lineno !== rb.lineno, `${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`);
    assert.notEqual(ra.function, 'validateCard');
    assert.ok(readFileSync(join(workDir, 'a', 'app.mjs'), 'utf8').includes('//# debugId='));
  });

  test('both events make ONE issue whose fingerprint is the v1 value of the original names', async () => {
    const issues = await listIssues(server);
    const errors = issues.filter((i) => i.type === 'error') as Array<(typeof issues)[number] & { firstRelease: string; lastRelease: string }>;
    const events = await Promise.all(eventIds.map((id) => getEvent(server, id)));
    assert.deepEqual(errors.map((i) => i.fingerprint), [EXPECTED], `the events: ${events.map(describeEvent).join('; ')}`);
    assert.equal(errors[0]!.count, 3);
    assert.equal(errors[0]!.firstRelease, '1.0.0');
    assert.equal(errors[0]!.lastRelease, '1.1.0');
  });

  test('frames show the original function, file, line and a context line; the minified frame stays in raw_stacktrace', async () => {
    for (const id of eventIds) {
      const event = await getEvent(server, id);
      const value = event.exception.values.at(-1);
      const top = value.stacktrace.frames.at(-1);
      assert.equal(top.function, 'validateCard', `event ${id} unsymbolicated: ${describeEvent(event)}`);
      assert.match(top.filename, /checkout\.js$/);
      assert.equal(top.lineno, 5);
      assert.equal(top.context_line.trim(), 'throw new TypeError(`card number is invalid (${digits.length} digits)`);');
      assert.equal(top.pre_context.length, 4);
      const caller = value.stacktrace.frames.at(-2);
      assert.equal(caller.function, 'chargeCard');
      assert.match(caller.filename, /payment\.js$/);
      assert.equal(caller.context_line.trim(), 'const digits = validateCard(card);');
      assert.match(value.raw_stacktrace.frames.at(-1).filename ?? value.raw_stacktrace.frames.at(-1).abs_path, /app\.mjs$/);
      assert.deepEqual(event.processingErrors ?? [], []);
    }
  });
});

describe('the same with @sentry/browser in Chromium: a minified page served over http maps and groups on original names', () => {
  let server: RunningServer;
  let workDir: string;
  let pages: Server;
  let eventId: string;

  before(async () => {
    server = await startServer();
    workDir = mkdtempSync(join(tmpdir(), 'proliferate-sourcemaps-browser-'));
    const dir = join(workDir, 'assets');
    await build({ entryPoints: [fileURLToPath(new URL('./fixtures/sourcemap-browser-page.js', import.meta.url))], bundle: true, minify: true, sourcemap: true, format: 'iife', target: 'es2020', outfile: join(dir, 'page.min.js'), logLevel: 'silent' });
    await run(sentryCli, ['sourcemaps', 'inject', dir]);
    await cli(server, ['sourcemaps', '--org', 'default', '--project', 'default', 'upload', '--release', 'web@1.0.0', dir]);
    const script = readFileSync(join(dir, 'page.min.js'), 'utf8');
    pages = createServer((request, response) => {
      if (request.url === '/assets/page.min.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>shop</title><script src="/assets/page.min.js"></script>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
      await page.goto(`${origin}/?dsn=${encodeURIComponent(server.dsn)}&release=web@1.0.0`);
      const report = (await (await page.waitForFunction(() => (window as any).__report, undefined, { timeout: 15_000 })).jsonValue()) as { eventId: string; flushed: boolean };
      assert.equal(report.flushed, true);
      eventId = report.eventId;
    } finally {
      await browser.close();
    }
  });
  after(async () => {
    pages?.close();
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('one issue with the v1 fingerprint of the original names; the frame has the original function, file, line and context', async () => {
    const issues = (await listIssues(server)).filter((i) => i.type === 'error');
    assert.deepEqual(issues.map((i) => i.fingerprint), [EXPECTED]);
    const event = await getEvent(server, eventId);
    const value = event.exception.values.at(-1);
    const top = value.stacktrace.frames.at(-1);
    assert.deepEqual([top.function, top.lineno], ['validateCard', 5]);
    assert.match(top.filename, /checkout\.js$/);
    assert.match(top.context_line, /card number is invalid/);
    const raw = value.raw_stacktrace.frames.at(-1);
    assert.match(raw.abs_path ?? raw.filename, /^http:\/\/127\.0\.0\.1:\d+\/assets\/page\.min\.js$/);
  });
});
