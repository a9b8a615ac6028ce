import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import type { DecodedPayload, ReceivedEvent, StoredContext } from './types.js';

export type { DecodedPayload };
import { DICTIONARY_V2 } from './payload-dictionary-v2.js';

/**
 * Event payloads are stored compressed with a dictionary of what recurs in every event: small JSON
 * documents compress poorly on their own, the dictionary gives the compressor a history to point
 * back into. The first byte names the format. A format is immutable once shipped (old databases
 * keep its blobs), so a new dictionary or codec gets a new number and decodePayload keeps the old.
 *
 *   1: raw deflate (level 6) with the preset dictionary DICTIONARY_V1. Read only.
 *   2: a zstd frame (content size and checksum, no dictionary id) made with DICTIONARY_V2, trained
 *      on events from the official SDKs (scripts/payload-dictionary/build.mjs). Written today for
 *      kept raw items; events written before format 3 hold their normalized JSON in it.
 *   3: an event as received (ReceivedEvent): a format-2 frame of its context as one line of JSON,
 *      a newline, then the event's JSON bytes exactly as the client sent them. Written for events.
 */
const FORMAT_DEFLATE_DICT_V1 = 1;
const FORMAT_ZSTD_DICT_V2 = 2;
const FORMAT_RECEIVED_EVENT = 3;

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

/** Format 2: JSON text (a kept raw item). */
export function encodePayload(json: string): Buffer {
  return compressText(FORMAT_ZSTD_DICT_V2, json, null);
}

/** Format 3: an event as received, with its context. */
export function encodeReceivedEvent(event: ReceivedEvent): Buffer {
  return compressText(FORMAT_RECEIVED_EVENT, `${JSON.stringify(event.context)}\n`, event.json);
}

/** Compresses `text` followed by `bytes` (if any) into one frame, behind the format byte. */
function compressText(format: number, text: string, bytes: Uint8Array | null): Buffer {
  const ctx = compressor();
  const tail = bytes?.byteLength ?? 0;
  // UTF-8 needs at most 3 bytes per UTF-16 unit; sizing by that bound skips a byteLength pass.
  const bound = text.length * 3 + tail;
  if (bound > REUSED_BUFFER_LIMIT) {
    // Rare large payloads (kept raw items may be megabytes) get exact-size buffers of their own:
    // the 3-bytes-per-unit bound would triple them, and the thread should not keep megabytes around.
    const src = bytes ? Buffer.concat([Buffer.from(text, 'utf8'), bytes]) : Buffer.from(text, 'utf8');
    const dst = Buffer.allocUnsafe(zstd.compressBound(src.length));
    return framed(format, dst, ctx.compress2(dst, src));
  }
  if (input.length < bound) input = Buffer.allocUnsafe(Math.max(bound, 64 * 1024));
  let length = input.write(text, 0, 'utf8');
  if (bytes) {
    input.set(bytes, length);
    length += tail;
  }
  const outBound = zstd.compressBound(length);
  if (output.length < outBound) output = Buffer.allocUnsafe(Math.max(outBound, 64 * 1024));
  return framed(format, output, ctx.compress2(output, input.subarray(0, length)));
}

/** A fresh buffer holding the format byte and the `written` compressed bytes of `dst`. */
function framed(format: number, dst: Buffer, written: number): Buffer {
  const out = Buffer.allocUnsafe(written + 1);
  out[0] = format;
  dst.copy(out, 1, 0, written);
  return out;
}

/**
 * Bytes to store for an event: encoded here, or passed through when already encoded (by the
 * bench's data set builder, off the writing thread).
 */
export function storedPayload(payload: ReceivedEvent | Uint8Array): Buffer {
  if (!(payload instanceof Uint8Array)) return encodeReceivedEvent(payload);
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** A format-2 zstd frame (also the body of format 3, named in errors as `format`). */
function decodeZstdV2(frame: Buffer, format: number): Buffer {
  let size: number | null;
  try {
    size = zstd.getFrameContentSize(frame);
  } catch (error) {
    throw new Error(`corrupt payload (format ${format}): ${(error as Error).message}`);
  }
  if (size === null || size > MAX_DECODED_BYTES) throw new Error(`corrupt payload (format ${format}): content size ${size}`);
  if (!dctx) {
    dctx = new zstd.DCtx();
    ddict = new zstd.DDict(DICTIONARY_V2);
  }
  const out = Buffer.allocUnsafe(size);
  let written: number;
  try {
    written = dctx.decompressUsingDDict(out, frame, ddict!);
  } catch (error) {
    throw new Error(`corrupt payload (format ${format}): ${(error as Error).message}`);
  }
  if (written !== size) throw new Error(`corrupt payload (format ${format}): ${written} bytes, frame says ${size}`);
  return out;
}


export function decodePayload(blob: Buffer | Uint8Array): DecodedPayload {
  const bytes = Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  switch (bytes[0]) {
    case FORMAT_RECEIVED_EVENT:
      return splitContext(decodeZstdV2(bytes.subarray(1), FORMAT_RECEIVED_EVENT));
    case FORMAT_ZSTD_DICT_V2:
      return { json: decodeZstdV2(bytes.subarray(1), FORMAT_ZSTD_DICT_V2).toString('utf8'), context: null };
    case FORMAT_DEFLATE_DICT_V1:
      return { json: inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8'), context: null };
    default:
      throw new Error(`unknown payload format ${bytes[0]}`);
  }
}

/** Decodes the received bytes exactly as ingest did (a leading BOM dropped, bad UTF-8 replaced). */
const receivedText = new TextDecoder();

/** The context line (our own JSON, so it holds no raw newline) and the event's bytes after it. */
function splitContext(content: Buffer): DecodedPayload {
  const end = content.indexOf(10);
  if (end === -1) throw new Error('corrupt payload (format 3): no context line');
  const context = JSON.parse(content.subarray(0, end).toString('utf8')) as StoredContext;
  return { json: receivedText.decode(content.subarray(end + 1)), context };
}
