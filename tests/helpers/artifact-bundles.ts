/**
 * Artifact bundles uploaded the way sentry-cli does (chunk upload, then assemble), by plain HTTP,
 * and minified code whose throw position a test can aim a frame at. For tests that need an upload
 * without the CLI's start-up cost (the real sentry-cli runs in tests/e2e/sourcemaps-*.test.ts).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { transform } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import type { RunningServer } from './server.js';

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

export const GREET_SOURCE = `function greet(name) {\n  if (!name) {\n    throw new RangeError('no name');\n  }\n  return 'hi ' + name;\n}\nexport function main() {\n  return greet('');\n}\n`;

/** greet.js minified by esbuild (greet becomes a one-letter name) with its map, and the throw's 1-based position. */
export async function minifiedGreet(options: { withSources: boolean }): Promise<{ code: string; map: string; lineno: number; colno: number }> {
  const out = await transform(GREET_SOURCE, { minify: true, sourcemap: 'external', sourcefile: 'src/greet.js', format: 'esm', sourcesContent: options.withSources });
  const lines = out.code.split('\n');
  const lineno = lines.findIndex((l) => l.includes('throw')) + 1;
  return { code: out.code, map: out.map, lineno, colno: lines[lineno - 1]!.indexOf('throw') + 1 };
}

export interface BundleFile {
  url: string;
  type: 'minified_source' | 'source_map';
  headers?: Record<string, string>;
  content: string;
}

/** Uploads one artifact bundle through `server` (chunk-upload, then assemble) and checks it was assembled. */
export async function uploadBundle(server: RunningServer, files: BundleFile[], options: { release?: string } = {}): Promise<void> {
  const manifest = { files: Object.fromEntries(files.map((f, i) => [`f${i}`, { url: f.url, type: f.type, headers: f.headers ?? {} }])) };
  const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...Object.fromEntries(files.map((f, i) => [`f${i}`, strToU8(f.content)])) });
  const form = new FormData();
  form.append('file', new Blob([zip]), sha1(zip));
  const chunk = await fetch(`${server.url}/api/0/organizations/default/chunk-upload/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}` },
    body: form,
  });
  assert.equal(chunk.status, 200, await chunk.text());
  const assembled = await server.api('/api/0/organizations/default/artifactbundle/assemble/', {
    body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'], ...(options.release ? { version: options.release } : {}) },
  });
  assert.equal(assembled.body.state, 'ok', JSON.stringify(assembled.body));
}

/** The minified file and its map as sentry-cli bundles them after `sourcemaps inject`. */
export function greetBundle(built: { code: string; map: string }, debugId: string): BundleFile[] {
  return [
    { url: '~/app.min.js', type: 'minified_source', headers: { 'debug-id': debugId, Sourcemap: 'app.min.js.map' }, content: built.code },
    { url: '~/app.min.js.map', type: 'source_map', headers: { 'debug-id': debugId }, content: built.map },
  ];
}

/** Sends one browser-like error event whose top frame is at `position` of https://shop.example/app.min.js. */
export async function sendMinifiedError(
  server: RunningServer,
  position: { lineno: number; colno: number },
  options: { debugId?: string; release?: string },
): Promise<string> {
  const eventId = randomUUID().replace(/-/g, '');
  const url = 'https://shop.example/app.min.js';
  const response = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, {
    method: 'POST',
    body: JSON.stringify({
      event_id: eventId,
      platform: 'javascript',
      ...(options.release ? { release: options.release } : {}),
      ...(options.debugId ? { debug_meta: { images: [{ type: 'sourcemap', code_file: url, debug_id: options.debugId }] } } : {}),
      exception: { values: [{ type: 'RangeError', value: 'no name', stacktrace: { frames: [{ function: 'n', abs_path: url, ...position, in_app: true }] } }] },
    }),
  });
  assert.equal(response.status, 200);
  return eventId;
}

/** The stored event, polled until it is readable (the write may land a moment after the ack). */
export async function storedEvent(server: RunningServer, eventId: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const { status, body } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
    if (status === 200) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`event ${eventId} was not stored`);
}
