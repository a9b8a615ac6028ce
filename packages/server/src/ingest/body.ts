import type { IncomingHttpHeaders } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
} from 'node:zlib';
import type { IngestLimits } from '../config.js';
import { HttpError } from '../errors.js';
import { serverBusy, type BodyLease } from './body-budget.js';

function decoderFor(encoding: string, firstByte: number | undefined): Transform | null {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      // HTTP says zlib-wrapped deflate, but some clients send raw deflate; a zlib stream starts 0x78.
      return firstByte === 0x78 ? createInflate() : createInflateRaw();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new HttpError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported (use gzip, deflate, br or none)`);
  }
}

const tooLarge = (what: string, limit: number) =>
  new HttpError(413, 'payload_too_large', `${what} is larger than the limit of ${limit} bytes`);

/**
 * Compressed bodies up to this size (a typical event is 2-10 KB gzipped) are collected and
 * decompressed in one synchronous call at the end: a zlib stream per request costs more than the
 * inflate itself. maxOutputLength still stops a bomb at the decompressed limit; larger bodies stream.
 */
const ONE_SHOT_MAX_BYTES = 32 * 1024;
/**
 * A one-shot inflate allocates its whole output at once, outside any budget, and blocks the event
 * loop while it runs: a 32 KB brotli bomb expands to the full 100 MiB limit. Past this much output
 * the same input is streamed instead, under the memory budget and with back-pressure.
 */
const ONE_SHOT_MAX_OUTPUT = 4 * 1024 * 1024;
const ONE_SHOT_ENCODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The decompressed body, or null when it is larger than `limit` (the caller streams it then). */
function decompressOneShot(encoding: string, input: Buffer, limit: number): Buffer | null {
  const options = { maxOutputLength: limit };
  try {
    if (encoding === 'br') return brotliDecompressSync(input, options);
    if (encoding === 'deflate') return input[0] === 0x78 ? inflateSync(input, options) : inflateRawSync(input, options);
    return gunzipSync(input, options);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw new HttpError(400, 'invalid_compression', `The body is not valid ${encoding} data`);
  }
}

/**
 * Reads a request body, decompressing as it streams. Both limits are enforced while reading: a
 * decompression bomb is stopped as soon as its output passes the limit, never buffered whole. With
 * a lease (body-budget.ts), every byte kept counts against the server-wide memory budget, and a body
 * that does not fit is refused with 503; a refused body gives its bytes back at once.
 */
export async function readBody(stream: Readable, headers: IncomingHttpHeaders, limits: IngestLimits, lease?: BodyLease): Promise<Buffer> {
  try {
    return await readBodyWithin(stream, headers, limits, lease);
  } catch (error) {
    lease?.close();
    throw error;
  }
}

async function readBodyWithin(stream: Readable, headers: IncomingHttpHeaders, limits: IngestLimits, lease?: BodyLease): Promise<Buffer> {
  const encoding = String(headers['content-encoding'] ?? '').trim().toLowerCase();
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxCompressedBytes) {
    stream.resume();
    throw tooLarge('The request body', limits.maxCompressedBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let decoder: Transform | null | undefined;
  let failure: HttpError | null = null;
  const pending: Buffer[] = [];

  const output = new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => (error ? reject(error) : resolve());
    const onOutput = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxDecompressedBytes || (lease && !lease.take(chunk.length))) {
        failure = size > limits.maxDecompressedBytes ? tooLarge('The decompressed body', limits.maxDecompressedBytes) : serverBusy();
        decoder?.destroy();
        chunks.length = 0;
        // Keep the socket: the rest of the input is discarded unread, so the client gets the answer.
        stream.resume();
        finish(failure);
        return;
      }
      chunks.push(chunk);
    };
    const startDecoder = (firstByte: number | undefined) => {
      decoder = decoderFor(encoding, firstByte);
      if (decoder) {
        decoder.on('data', onOutput);
        decoder.on('error', () => finish(failure ?? new HttpError(400, 'invalid_compression', `The body is not valid ${encoding} data`)));
        decoder.on('end', () => finish());
        for (const early of pending.splice(0)) decoder.write(early);
      }
    };
    let received = 0;
    stream.on('data', (chunk: Buffer) => {
      if (failure) return;
      received += chunk.length;
      if (received > limits.maxCompressedBytes) {
        failure = tooLarge('The request body', limits.maxCompressedBytes);
        decoder?.destroy();
        finish(failure);
        return;
      }
      if (decoder === undefined) {
        if (ONE_SHOT_ENCODINGS.has(encoding) && received <= ONE_SHOT_MAX_BYTES) {
          pending.push(chunk);
          return;
        }
        try {
          startDecoder((pending[0] ?? chunk)[0]);
        } catch (error) {
          failure = error as HttpError;
          stream.resume();
          finish(failure);
          return;
        }
      }
      if (decoder) {
        // Respect the decoder's back-pressure so a bomb cannot queue unbounded output.
        if (!decoder.write(chunk)) {
          stream.pause();
          decoder.once('drain', () => stream.resume());
        }
      } else onOutput(chunk);
    });
    stream.on('end', () => {
      if (failure) return;
      if (decoder === undefined && pending.length > 0) {
        let whole: Buffer | null;
        try {
          whole = decompressOneShot(encoding, Buffer.concat(pending), Math.min(ONE_SHOT_MAX_OUTPUT, limits.maxDecompressedBytes));
        } catch (error) {
          finish(error);
          return;
        }
        if (whole) {
          onOutput(whole);
          if (!failure) finish();
          return;
        }
        if (ONE_SHOT_MAX_OUTPUT >= limits.maxDecompressedBytes) {
          finish(tooLarge('The decompressed body', limits.maxDecompressedBytes));
          return;
        }
        startDecoder(pending[0]![0]);
      }
      if (decoder === undefined) {
        try {
          decoderFor(encoding, undefined); // an empty body still names a supported encoding
        } catch (error) {
          finish(error);
          return;
        }
      }
      if (decoder) decoder.end();
      else finish();
    });
    stream.on('error', (error) => finish(failure ?? new HttpError(400, 'body_read_failed', `Reading the body failed: ${error.message}`)));
    stream.on('aborted', () => finish(new HttpError(400, 'body_aborted', 'The client aborted the request')));
  });
  await output;
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
