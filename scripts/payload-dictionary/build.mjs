/**
 * Builds the zstd dictionary for stored event payloads (format 2 of
 * packages/server/src/store/payload-codec.ts) from events made by the official SDKs.
 *
 * The corpus is NOT the benchmark's generator (bench/payload.ts): training on it would only teach
 * the dictionary the benchmark. Instead:
 *   - @sentry/node runs in this process with a capturing transport (node-events.mjs): errors from
 *     real code (node-scenarios.mjs), an express app called with fetch, unhandled rejections,
 *     captureMessage; console and http breadcrumbs come from the SDK's own integrations;
 *   - Python's sentry-sdk runs the same way (python_events.py: Flask, logging, chained errors).
 * Each event is taken as the server stores it (the JSON the SDK sent, digestEvent(...).payload.json:
 * payload format 3 keeps events as received; the shipped v2 dictionary was trained on the
 * normalized JSON that format 2 held until then), the checkout path is replaced by a typical
 * deployment path, and every 5th sample is held out from training to measure the result.
 * `zstd --train` (the CLI) builds the dictionary.
 *
 * Rebuild (needs /usr/bin/zstd and the repo's .venv with sentry-sdk and flask):
 *
 *   node --import tsx scripts/payload-dictionary/build.mjs            # corpus + train + evaluate
 *   node --import tsx scripts/payload-dictionary/build.mjs --write    # ... and write the .ts module
 *
 * Options: --node N (default 2400), --python N (default 1600), --maxdict BYTES (default: try
 * 16, 24 and 32 KiB and keep the smallest held-out size), --corpus DIR (default
 * $TMPDIR/proliferate-payload-corpus; bench/payload-codec.ts reads its holdout.jsonl).
 *
 * A shipped dictionary is immutable: format 2 means exactly the bytes in payload-dictionary-v2.ts
 * forever, or old databases stop decoding. A new dictionary needs a new format number (4, ...),
 * a new module, and a decode branch next to the old ones; change DICT_ID and the output paths here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { digestEvent } from '../../packages/server/src/digest/digest.ts';
import { captureNodeEvents } from './node-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    node: { type: 'string', default: '2400' },
    python: { type: 'string', default: '1600' },
    maxdict: { type: 'string' },
    corpus: { type: 'string', default: join(tmpdir(), 'proliferate-payload-corpus') },
    write: { type: 'boolean', default: false },
  },
});
/** 'prl' + 2: outside the ranges the zstd format reserves (< 32768 and >= 2^31). */
const DICT_ID = 0x70726c02;
const LEVEL = 3;
const OUTPUT = join(root, 'packages/server/src/store/payload-dictionary-v2.ts');

const log = (...parts) => process.stdout.write(parts.join(' ') + '\n');

/** Where the code ran here is not where it runs in production: rewrite the checkout's paths. */
function deployedPaths(event) {
  const text = JSON.stringify(event)
    .replaceAll(`${root}/.venv/lib/`, '/usr/local/lib/')
    .replaceAll(`${root}/scripts/payload-dictionary/`, `${root}/`)
    .replaceAll(`${root}/`, '/usr/src/app/');
  return JSON.parse(text);
}

log(`capturing ${args.node} @sentry/node events...`);
const nodeEvents = await captureNodeEvents(Number(args.node), 1);
log(`capturing ${args.python} sentry-sdk (python) events...`);
const python = spawnSync(join(root, '.venv/bin/python'), [join(here, 'python_events.py'), args.python, '1'], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
if (python.status !== 0) throw new Error(`python_events.py failed: ${python.stderr}`);
const pythonEvents = python.stdout.trim().split('\n').map((line) => JSON.parse(line));

const payloads = [...nodeEvents, ...pythonEvents].map(
  (raw) => new TextDecoder().decode(digestEvent(deployedPaths(raw), 1, { receivedMs: Date.now() }).payload.json),
);
// Interleave so both SDKs land in both halves.
const train = [];
const holdout = [];
payloads.forEach((payload, i) => (i % 5 === 4 ? holdout : train).push(payload));

const corpus = resolve(args.corpus);
rmSync(corpus, { recursive: true, force: true });
mkdirSync(join(corpus, 'train'), { recursive: true });
train.forEach((payload, i) => writeFileSync(join(corpus, 'train', `${String(i).padStart(5, '0')}.json`), payload));
writeFileSync(join(corpus, 'holdout.jsonl'), holdout.map((p) => JSON.stringify(p)).join('\n') + '\n');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
log(`corpus: ${train.length} train + ${holdout.length} held out, mean ${mean(payloads.map((p) => p.length)).toFixed(0)} B of JSON, in ${corpus}`);

const zstd = createRequire(import.meta.url)('zstd-napi/binding');
function heldOutBytes(dictionary) {
  const cctx = new zstd.CCtx();
  const cdict = new zstd.CDict(dictionary, LEVEL);
  const out = Buffer.allocUnsafe(1 << 22);
  return mean(holdout.map((p) => cctx.compressUsingCDict(out, Buffer.from(p), cdict)));
}

const sizes = args.maxdict ? [Number(args.maxdict)] : [16384, 24576, 32768];
let best;
for (const size of sizes) {
  const file = join(corpus, `dict-${size}`);
  execFileSync('zstd', ['--train', '-r', join(corpus, 'train'), `--maxdict=${size}`, `--dictID=${DICT_ID}`, '-q', '-f', '-o', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dictionary = readFileSync(file);
  const bytes = heldOutBytes(dictionary);
  log(`maxdict ${size}: dictionary ${dictionary.length} B, held-out mean ${bytes.toFixed(0)} B at level ${LEVEL}`);
  if (!best || bytes < best.bytes) best = { size, dictionary, bytes };
}
log(`best: maxdict ${best.size}`);

if (args.write) {
  const base64 = best.dictionary.toString('base64');
  const lines = base64.match(/.{1,100}/g).map((line) => `  '${line}',`);
  const sha256 = createHash('sha256').update(best.dictionary).digest('hex');
  writeFileSync(
    OUTPUT,
    `/**
 * The zstd dictionary of payload format 2. Generated by scripts/payload-dictionary/build.mjs
 * (zstd --train --maxdict=${best.size} on ${train.length} events from @sentry/node ${sdkVersion()} and sentry-sdk
 * (python), normalized like stored payloads; not on the benchmark's events). Never edit or
 * regenerate in place: stored blobs of format 2 need exactly these bytes. A new dictionary is a new
 * format. sha256 ${sha256}, ${best.dictionary.length} bytes.
 */
export const DICTIONARY_V2_SHA256 = '${sha256}';

export const DICTIONARY_V2: Buffer = Buffer.from(
  [
${lines.join('\n')}
  ].join(''),
  'base64',
);
`,
  );
  log(`wrote ${OUTPUT}`);
}

function sdkVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/@sentry/node/package.json'), 'utf8')).version;
}
process.exit(0);
