/**
 * Payload codec: µs per encode and decode and bytes per event, format 1 (deflate + preset
 * dictionary) against format 2 (zstd + trained dictionary) at several zstd levels and format 3
 * (format 2's frame over the event as received, what the server stores for events), over
 *   (a) bench/payload.ts events as digestEvent keeps them (what the ingest bench stores), and
 *   (b) the held-out SDK corpus written by scripts/payload-dictionary/build.mjs (events of the
 *       official SDKs the dictionary was not trained on); skipped when it is missing.
 *
 *   node --import tsx bench/payload-codec.ts [corpus/holdout.jsonl]
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestEvent } from '../packages/server/src/digest/digest.js';
import { decodePayload, encodePayload, encodePayloadV1, encodeReceivedEvent } from '../packages/server/src/store/payload-codec.js';
import type { ReceivedEvent } from '../packages/server/src/store/types.js';
import { DICTIONARY_V2 } from '../packages/server/src/store/payload-dictionary-v2.js';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { issueSampler, makeEvent, rng } from './payload.js';

const zstd = createRequire(import.meta.url)('zstd-napi/binding') as typeof ZstdBinding;

function benchEvents(count: number): ReceivedEvent[] {
  const random = rng(7);
  const sample = issueSampler(500);
  return Array.from({ length: count }, (_, i) =>
    digestEvent(makeEvent({ issue: sample(random), timestamp: 1_767_225_600 + i, seed: i }), 1, { receivedMs: 1_767_225_600_000 + i }).payload,
  );
}

const text = new TextDecoder();

function time<T>(label: string, payloads: T[], encode: (payload: T) => Buffer) {
  const blobs = payloads.map(encode); // warm up
  const bytes = blobs.reduce((sum, b) => sum + b.length, 0) / blobs.length;
  let encodeUs = Infinity;
  let decodeUs = Infinity;
  for (let round = 0; round < 5; round++) {
    let start = process.hrtime.bigint();
    for (const p of payloads) encode(p);
    encodeUs = Math.min(encodeUs, Number(process.hrtime.bigint() - start) / 1000 / payloads.length);
    start = process.hrtime.bigint();
    for (const b of blobs) decodePayload(b);
    decodeUs = Math.min(decodeUs, Number(process.hrtime.bigint() - start) / 1000 / payloads.length);
  }
  console.log(`  ${label.padEnd(28)} encode ${encodeUs.toFixed(1).padStart(6)} µs  decode ${decodeUs.toFixed(1).padStart(5)} µs  ${bytes.toFixed(0).padStart(5)} B/event`);
}

/** Format 2 framing at another level (what encodePayload does at its fixed level), for comparison. */
function zstdAt(level: number): (json: string) => Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, level);
  cctx.setParameter(zstd.CParameter.dictIDFlag, 0);
  cctx.setParameter(zstd.CParameter.checksumFlag, 1);
  cctx.loadDictionary(DICTIONARY_V2);
  const output = Buffer.allocUnsafe(1 << 22);
  return (json) => {
    const written = cctx.compress2(output, Buffer.from(json));
    const out = Buffer.allocUnsafe(written + 1);
    out[0] = 2;
    output.copy(out, 1, 0, written);
    return out;
  };
}

function report(name: string, payloads: string[], received?: ReceivedEvent[]) {
  const json = payloads.reduce((sum, p) => sum + Buffer.byteLength(p), 0) / payloads.length;
  console.log(`${name}: ${payloads.length} events, ${json.toFixed(0)} B of JSON each`);
  time('format 1 (deflate l6)', payloads, encodePayloadV1);
  time('format 2 (encodePayload)', payloads, encodePayload);
  for (const level of [1, 2, 3, 4, 5]) time(`format 2 at level ${level}`, payloads, zstdAt(level));
  if (received) time('format 3 (encodeReceivedEvent)', received, encodeReceivedEvent);
}

const received = benchEvents(3000);
report('bench/payload.ts events', received.map((event) => text.decode(event.json)), received);
const corpus = process.argv[2] ?? join(tmpdir(), 'proliferate-payload-corpus', 'holdout.jsonl');
if (existsSync(corpus)) {
  report('SDK corpus (held out)', readFileSync(corpus, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string));
} else {
  console.log(`SDK corpus: ${corpus} missing; run node --import tsx scripts/payload-dictionary/build.mjs`);
}
