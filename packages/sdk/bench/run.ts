/**
 * SDK figures (issue 3): browser bundle size min+gzip against @sentry/browser bundled the same way,
 * setTag time, and how long captureException of a 15-frame error takes to return to the caller.
 * Run: npm run bench -w packages/sdk   (prints a table, and JSON with --json)
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { replaySizes } from './replay-size.js';
import { replayStorage } from './replay-storage.js';
import { captureException, getIsolationScope, initClient, setTag, type Transport } from '../src/core/index.js';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));

/** The same small app for both SDKs: init plus the calls an app makes, tree-shaken, minified. */
function appUsing(module: string): string {
  return `import { init, captureException, captureMessage, setTag, setUser, withScope, addBreadcrumb, startSpan } from '${module}';
init({ dsn: 'https://pk_abc@errors.example.com/1' });
window.sdk = { captureException, captureMessage, setTag, setUser, withScope, addBreadcrumb, startSpan };`;
}

async function bundleSize(contents: string): Promise<{ min: number; gzip: number }> {
  const result = await build({
    stdin: { contents, resolveDir: sdkDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    write: false,
    legalComments: 'none',
    alias: { '@proliferate/protocol': '../protocol/src/index.ts' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

function timePerCall(iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(i); // warm up the JIT
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  return ((performance.now() - start) * 1000) / iterations; // µs
}

function errorWithFrames(depth: number): Error {
  const recurse = (n: number): Error => (n <= 1 ? new TypeError("Cannot read properties of undefined (reading 'id')") : recurse(n - 1));
  return recurse(depth - 1); // plus this function's frame
}

async function main(): Promise<void> {
  const ours = await bundleSize(appUsing('./src/browser/index.ts'));
  const sentry = await bundleSize(appUsing('@sentry/browser'));
  const script = await bundleSize(`export * from './src/browser/index.ts';`);

  // A transport that drops everything: what is measured is the caller's cost, not the network's.
  const sink: Transport = { send() {}, flush: async () => true };
  initClient(
    { dsn: 'http://pk_bench@127.0.0.1:9/1', transport: () => sink },
    { platform: 'node', makeTransport: () => sink, sessionId: () => 'bench' },
    [],
  );
  const keys = ['tier', 'region', 'flag_new_checkout', 'api_version', 'client_type', 'deployment', 'latency_class', 'service'];
  const values = ['enterprise', 'us-east-1', 'true', 'v2', 'ios', 'canary', 'slow', 'payment-api'];
  const setTagUs = timePerCall(1_000_000, (i) => setTag(keys[i & 7]!, values[(i >> 3) & 7]!));

  // V8 keeps 10 frames by default; the target is for 15. Each capture gets a fresh error whose
  // stack has not been read yet, so V8's lazy stack formatting is counted in the SDK's time.
  Error.stackTraceLimit = 50;
  // errorWithFrames(13) plus the two frames of this loop give a 15-frame stack
  const frames = errorWithFrames(13).stack!.split('\n').filter((l) => l.trim().startsWith('at ')).length;
  getIsolationScope().setTags({ service: 'payment-api', tier: 'enterprise' });
  const rounds = 20;
  const perRound = 500;
  const samples: number[] = [];
  for (let round = 0; round < rounds + 2; round++) {
    const errors: Error[] = [];
    for (let i = 0; i < perRound; i++) errors.push(errorWithFrames(13));
    const start = performance.now();
    for (const error of errors) captureException(error, { tags: { round: String(round) } });
    if (round >= 2) samples.push(((performance.now() - start) * 1000) / perRound); // first rounds warm up
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the queued async work run between rounds
  }
  samples.sort((a, b) => a - b);
  const captureUs = samples[Math.floor(samples.length / 2)]!;

  const replay = await replaySizes();
  // Stored bytes per minute need a real browser and server (~50 s); skip with --no-replay-storage.
  const storage = process.argv.includes('--no-replay-storage') ? null : await replayStorage();

  const figures = {
    replay: { ...replay, stored_bytes_per_minute: storage },
    bundle_min_gzip_bytes: { proliferate: ours.gzip, sentry_browser: sentry.gzip, proliferate_full_script: script.gzip },
    bundle_min_bytes: { proliferate: ours.min, sentry_browser: sentry.min, proliferate_full_script: script.min },
    set_tag_us: Number(setTagUs.toFixed(3)),
    capture_exception_us: Number(captureUs.toFixed(1)),
    capture_exception_frames: frames,
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const check = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  console.log('SDK figures                                   value        target');
  console.log(`browser bundle, app usage (min+gzip)         ${kb(ours.gzip).padEnd(12)} <= 15 KB   ${check(ours.gzip <= 15 * 1024)}`);
  console.log(`  @sentry/browser, same app, same bundling   ${kb(sentry.gzip)}`);
  console.log(`  script build, every export (min+gzip)      ${kb(script.gzip)}`);
  console.log(`setTag                                       ${setTagUs.toFixed(3)} µs     <= 1 µs    ${check(setTagUs <= 1)}`);
  console.log(`captureException, ${frames}-frame error (median) ${captureUs.toFixed(1)} µs      <= 100 µs  ${check(captureUs <= 100)}`);
  console.log(`replay entry, added to the app (min+gzip)    ${kb(replay.replay_added_min_gzip_bytes.proliferate)}`);
  console.log(`  @sentry/browser replayIntegration, same    ${kb(replay.replay_added_min_gzip_bytes.sentry_browser)}`);
  console.log(`core bundle carries rrweb                    ${replay.core_contains_rrweb ? 'yes' : 'no'}          no         ${check(!replay.core_contains_rrweb)}`);
  if (storage) {
    for (const [sdk, figure] of Object.entries(storage)) {
      console.log(`stored per minute of replay, ${sdk.padEnd(15)} ${kb(figure.bytes_per_minute)}   (${figure.seconds} s recorded, ${figure.segments} segments)`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
