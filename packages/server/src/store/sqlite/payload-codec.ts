import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { DICTIONARY_V2 } from './payload-dictionary-v2.js';

/**
 * Event payloads are stored compressed with a dictionary of what recurs in every event: small JSON
 * documents compress poorly on their own, the dictionary gives the compressor a history to point
 * back into. The first byte names the format. A format is immutable once shipped (old databases
 * keep its blobs), so a new dictionary or codec gets a new number and decodePayload keeps the old.
 *
 *   1: raw deflate (level 6) with the preset dictionary DICTIONARY_V1. Read only.
 *   2: a zstd frame (content size and checksum, no dictionary id) made with DICTIONARY_V2, trained
 *      on events from the official SDKs (scripts/payload-dictionary/build.mjs). Written today.
 */
const FORMAT_DEFLATE_DICT_V1 = 1;
const FORMAT_ZSTD_DICT_V2 = 2;

/** zstd level for format 2, chosen with bench/payload-codec.ts (see docs/benchmarks.md). */
const ZSTD_LEVEL = 3;
/** Largest payload decodePayload inflates: a corrupt content size must not allocate gigabytes. */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;
/** Encode buffers up to this size are kept for the next payload. */
const REUSED_BUFFER_LIMIT = 1024 * 1024;

const DICTIONARY_V1 = Buffer.from(
  [
    '{"event_id":"","timestamp":,"received":,"platform":"javascript","platform":"node","platform":"python",',
    '"level":"error","level":"warning","level":"info","logger":"","server_name":"","release":"","environment":"production",',
    '"exception":{"values":[{"type":"Error","type":"TypeError","value":"","mechanism":{"type":"generic","handled":true},',
    '"stacktrace":{"frames":[{"filename":"","abs_path":"","function":"","module":"","lineno":,"colno":,"in_app":true,',
    '"in_app":false,"context_line":"","pre_context":["","",""],"post_context":["",""]},',
    '"breadcrumbs":[{"timestamp":,"type":"default","category":"console","category":"http","level":"info","message":"","data":{}}],',
    '"tags":{},"user":{"id":"","email":"","username":"","ip_address":""},"account":{"id":"","name":""},',
    '"contexts":{"trace":{"trace_id":"","span_id":"","parent_span_id":""},"runtime":{"name":"node","version":""},',
    '"os":{"name":"Linux","version":""},"device":{},"app":{},"culture":{},"cloud_resource":{}},"extra":{},',
    '"sdk":{"name":"sentry.javascript.node","name":"sentry.python","version":"","integrations":[],"packages":[]},',
    '"request":{"url":"","method":"GET","headers":{},"query_string":""},"modules":{},"fingerprint":[],',
    '"processing_errors":[],"node_modules","site-packages","<anonymous>","Object.<anonymous>","node:internal/',
  ].join(''),
);

/** Format 1 as it was written until format 2 replaced it; kept for tests and the codec bench. */
export function encodePayloadV1(json: string): Buffer {
  const body = deflateRawSync(json, { dictionary: DICTIONARY_V1, level: constants.Z_DEFAULT_COMPRESSION });
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = FORMAT_DEFLATE_DICT_V1;
  body.copy(out, 1);
  return out;
}

// zstd-napi is CommonJS and its binding exports are not visible to ESM named imports.
const zstd = createRequire(import.meta.url)('zstd-napi/binding') as typeof ZstdBinding;

/**
 * Per thread (the main thread and the writer worker each load this module): one compression
 * context with the dictionary loaded once (zstd digests it into prepared tables, a CDict inside
 * the context, and reuses them for every frame), reused input and output buffers that grow when a
 * payload needs it, and a decompression context with a prepared DDict. Created on first use.
 */
let cctx: ZstdBinding.CCtx | undefined;
let dctx: ZstdBinding.DCtx | undefined;
let ddict: ZstdBinding.DDict | undefined;
let input = Buffer.allocUnsafe(0);
let output = Buffer.allocUnsafe(0);

function compressor(): ZstdBinding.CCtx {
  if (cctx) return cctx;
  const ctx = new zstd.CCtx();
  ctx.setParameter(zstd.CParameter.compressionLevel, ZSTD_LEVEL);
  // The format byte names the dictionary; the checksum (same 4 bytes) turns corruption into an error.
  ctx.setParameter(zstd.CParameter.dictIDFlag, 0);
  ctx.setParameter(zstd.CParameter.checksumFlag, 1);
  ctx.setParameter(zstd.CParameter.contentSizeFlag, 1);
  ctx.loadDictionary(DICTIONARY_V2);
  cctx = ctx;
  return ctx;
}

export function encodePayload(json: string): Buffer {
  const ctx = compressor();
  // UTF-8 needs at most 3 bytes per UTF-16 unit; sizing by that bound skips a byteLength pass.
  if (json.length * 3 > REUSED_BUFFER_LIMIT) return encodeHuge(ctx, json);
  if (input.length < json.length * 3) input = Buffer.allocUnsafe(Math.max(json.length * 3, 64 * 1024));
  const length = input.write(json, 0, 'utf8');
  const bound = zstd.compressBound(length);
  if (output.length < bound) output = Buffer.allocUnsafe(Math.max(bound, 64 * 1024));
  return framed(output, ctx.compress2(output, input.subarray(0, length)));
}

/**
 * Rare large payloads (kept raw items may be megabytes) get exact-size buffers of their own: the
 * 3-bytes-per-unit bound would triple them, and the thread should not keep megabytes around.
 */
function encodeHuge(ctx: ZstdBinding.CCtx, json: string): Buffer {
  const src = Buffer.from(json, 'utf8');
  const dst = Buffer.allocUnsafe(zstd.compressBound(src.length));
  return framed(dst, ctx.compress2(dst, src));
}

/** A fresh buffer holding the format byte and the `written` compressed bytes of `dst`. */
function framed(dst: Buffer, written: number): Buffer {
  const out = Buffer.allocUnsafe(written + 1);
  out[0] = FORMAT_ZSTD_DICT_V2;
  dst.copy(out, 1, 0, written);
  return out;
}

/**
 * Bytes to store: JSON text is encoded here; bytes already made by encodePayload (off the writing
 * thread, e.g. by the bench's data set builder) pass through unchanged.
 */
export function storedPayload(payload: string | Uint8Array): Buffer {
  if (typeof payload === 'string') return encodePayload(payload);
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

function decodeZstdV2(frame: Buffer): string {
  let size: number | null;
  try {
    size = zstd.getFrameContentSize(frame);
  } catch (error) {
    throw new Error(`corrupt payload (format 2): ${(error as Error).message}`);
  }
  if (size === null || size > MAX_DECODED_BYTES) throw new Error(`corrupt payload (format 2): content size ${size}`);
  if (!dctx) {
    dctx = new zstd.DCtx();
    ddict = new zstd.DDict(DICTIONARY_V2);
  }
  const out = Buffer.allocUnsafe(size);
  let written: number;
  try {
    written = dctx.decompressUsingDDict(out, frame, ddict!);
  } catch (error) {
    throw new Error(`corrupt payload (format 2): ${(error as Error).message}`);
  }
  if (written !== size) throw new Error(`corrupt payload (format 2): ${written} bytes, frame says ${size}`);
  return out.toString('utf8');
}

export function decodePayload(blob: Buffer | Uint8Array): string {
  const bytes = Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  switch (bytes[0]) {
    case FORMAT_ZSTD_DICT_V2:
      return decodeZstdV2(bytes.subarray(1));
    case FORMAT_DEFLATE_DICT_V1:
      return inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
    default:
      throw new Error(`unknown payload format ${bytes[0]}`);
  }
}
