import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../config.js';
import { HttpError } from '../errors.js';
import { readBody } from './body.js';

const limits = { ...DEFAULT_LIMITS, maxCompressedBytes: 1024 * 1024, maxDecompressedBytes: 2 * 1024 * 1024, maxEventBytes: 1024 * 1024 };
const body = Buffer.from('{"hello":"world"}\n'.repeat(100));
const read = (bytes: Buffer, encoding?: string, chunk = 1000) =>
  readBody(
    Readable.from((function* () { for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk); })()),
    encoding === undefined ? {} : { 'content-encoding': encoding },
    limits,
  );

const rejectsWith = (promise: Promise<unknown>, status: number, code: string) =>
  assert.rejects(promise, (error: unknown) => error instanceof HttpError && error.status === status && error.code === code);

test('gzip, deflate (zlib and raw), br, identity and an empty Content-Encoding all give the body', async () => {
  assert.deepEqual(await read(gzipSync(body), 'gzip'), body);
  assert.deepEqual(await read(gzipSync(body), 'x-gzip'), body);
  assert.deepEqual(await read(deflateSync(body), 'deflate'), body);
  assert.deepEqual(await read(deflateRawSync(body), 'deflate'), body);
  assert.deepEqual(await read(brotliCompressSync(body), 'br'), body);
  assert.deepEqual(await read(body, 'identity'), body);
  assert.deepEqual(await read(body, ''), body);
  assert.deepEqual(await read(body), body);
});

test('corrupt compressed data is a 400, not a crash', async () => {
  await rejectsWith(read(Buffer.from('definitely not gzip'), 'gzip'), 400, 'invalid_compression');
  const truncated = gzipSync(body).subarray(0, 40);
  await rejectsWith(read(truncated, 'gzip'), 400, 'invalid_compression');
});

test('an unknown Content-Encoding is a 415', async () => {
  await rejectsWith(read(body, 'zstd'), 415, 'unsupported_encoding');
});

test('a decompression bomb is stopped as soon as its output passes the limit', async () => {
  const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < limits.maxCompressedBytes, 'the bomb itself is small');
  const started = process.hrtime.bigint();
  const before = process.memoryUsage().rss;
  await rejectsWith(read(bomb, 'gzip', 16 * 1024), 413, 'payload_too_large');
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
  assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
  assert.ok(grownMb < 100, `memory grew by ${grownMb} MB`);
});

test('a body over the compressed limit is a 413', async () => {
  await rejectsWith(read(Buffer.alloc(limits.maxCompressedBytes + 10, 'a')), 413, 'payload_too_large');
});
