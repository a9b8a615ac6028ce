/**
 * Source-map uploads over the Sentry-compatible endpoints, driven by plain HTTP (the real
 * sentry-cli runs in tests/e2e/sourcemaps-sentry-cli.test.ts): organization and token checks,
 * chunk validation, deduplication, the release-file flows with URL matching for browser frames,
 * and a missing or broken map recorded on the event instead of failing it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { transform } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';

const run = promisify(execFile);

let server: RunningServer;
const sha1 = (data: Uint8Array | string) => createHash('sha1').update(data).digest('hex');
const SOURCE = `function greet(name) {\n  if (!name) {\n    throw new RangeError('no name');\n  }\n  return 'hi ' + name;\n}\nexport function main() {\n  return greet('');\n}\n`;

async function minified(): Promise<{ code: string; map: string }> {
  const out = await transform(SOURCE, { minify: true, sourcemap: 'external', sourcefile: 'src/greet.js', format: 'esm' });
  return { code: out.code, map: out.map };
}

function bundle(files: Record<string, { url: string; type: string; headers?: Record<string, string>; content: string }>): Uint8Array {
  const manifest = { files: Object.fromEntries(Object.entries(files).map(([path, f]) => [path, { url: f.url, type: f.type, headers: f.headers ?? {} }])) };
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...Object.fromEntries(Object.entries(files).map(([path, f]) => [path, strToU8(f.content)])) });
}

async function http(path: string, init: { method?: string; body?: unknown; token?: string; form?: FormData } = {}) {
  const res = await fetch(server.url + path, {
    method: init.method ?? (init.body === undefined && !init.form ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.token ?? server.adminToken}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function uploadChunks(data: Uint8Array, token?: string) {
  const form = new FormData();
  form.append('file', new Blob([data]), sha1(data));
  return http('/api/0/organizations/default/chunk-upload/', { form, token });
}

async function sendEvent(event: Record<string, unknown>): Promise<string> {
  const id = randomUUID().replace(/-/g, '');
  const res = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify({ event_id: id, ...event }) });
  assert.equal(res.status, 200);
  return id;
}

/** Where greet's throw lands in the minified code (1-based line and column). */
function throwPosition(code: string): { lineno: number; colno: number } {
  const lines = code.split('\n');
  const lineno = lines.findIndex((l) => l.includes('throw')) + 1;
  return { lineno, colno: lines[lineno - 1]!.indexOf('throw') + 1 };
}

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

describe('organization and tokens', () => {
  test('an unknown organization is a 404 that names the right one', async () => {
    const res = await http('/api/0/organizations/acme/chunk-upload/');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'organization_not_found');
    assert.match(res.body.error.message, /"default"/);
  });

  test('chunk-upload options point at this server; no token is a 401', async () => {
    const res = await http('/api/0/organizations/default/chunk-upload/');
    assert.equal(res.body.url, `${server.url}/api/0/organizations/default/chunk-upload/`);
    assert.equal(res.body.hashAlgorithm, 'sha1');
    assert.equal((await fetch(`${server.url}/api/0/organizations/default/chunk-upload/`)).status, 401);
  });

  test('a token limited to another project cannot assemble into this one', async () => {
    const other = await http('/api/0/projects/', { body: { name: 'Other app' } });
    const { stdout } = await run(process.execPath, [cliPath, 'token', 'create', '--name', 'ci', '--project', String(other.body.id), '--data-dir', server.dataDir], {
      env: { ...process.env, ...server.storeEnv },
    });
    const scoped = stdout.trim();
    assert.match(scoped, /^pft_/);
    const res = await http('/api/0/organizations/default/artifactbundle/assemble/', {
      token: scoped,
      body: { checksum: sha1('x'), chunks: [sha1('x')], projects: ['default'] },
    });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'project_not_found');
    // ... and sees only its own project's releases through the organization endpoints.
    await http(`/api/0/projects/${server.projectId}/releases/`, { body: { version: 'private@1' } });
    const list = await http('/api/0/organizations/default/releases/', { token: scoped });
    assert.deepEqual(list.body.map((r: { version: string }) => r.version), []);
  });
});

describe('chunks and bundles', () => {
  test('a chunk whose name is not its SHA-1 is refused', async () => {
    const form = new FormData();
    form.append('file', new Blob([strToU8('hello')]), sha1('other'));
    const res = await http('/api/0/organizations/default/chunk-upload/', { form });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'checksum_mismatch');
  });

  test('assemble says which chunks are missing, then stores the bundle once (deduplicated by checksum)', async () => {
    const { code, map } = await minified();
    const debugId = randomUUID();
    const zip = bundle({
      'a.js': { url: '~/static/dedupe.min.js', type: 'minified_source', headers: { 'debug-id': debugId, Sourcemap: 'dedupe.min.js.map' }, content: code },
      'a.js.map': { url: '~/static/dedupe.min.js.map', type: 'source_map', headers: { 'debug-id': debugId }, content: map },
    });
    const body = { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] };
    const first = await http('/api/0/organizations/default/artifactbundle/assemble/', { body });
    assert.deepEqual([first.body.state, first.body.missingChunks], ['not_found', [sha1(zip)]]);
    assert.equal((await uploadChunks(zip)).status, 200);
    const done = await http('/api/0/organizations/default/artifactbundle/assemble/', { body });
    assert.equal(done.body.state, 'ok');
    const again = await http('/api/0/organizations/default/artifactbundle/assemble/', { body });
    assert.equal(again.body.state, 'ok');
    const bundles = await http(`/api/0/projects/${server.projectId}/artifact-bundles/`);
    assert.equal(bundles.body.filter((b: { checksum: string }) => b.checksum === sha1(zip)).length, 1);
  });

  test('a zip without manifest.json is an error state with the reason', async () => {
    const zip = zipSync({ 'x.js': strToU8('x') });
    await uploadChunks(zip);
    const res = await http('/api/0/organizations/default/artifactbundle/assemble/', { body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] } });
    assert.equal(res.body.state, 'error');
    assert.match(res.body.detail, /manifest\.json/);
  });

  test('sentry-cli 3.8 bodies with explicit nulls are accepted: a deploy with "dateStarted": null keeps it null', async () => {
    await http('/api/0/organizations/default/releases/', { body: { version: 'nulls@1', projects: ['default'] } });
    const deploy = await http('/api/0/organizations/default/releases/nulls@1/deploys/', {
      body: { environment: 'production', name: 'eu-1', url: null, dateStarted: null, dateFinished: '2026-12-03T10:24:48.078364313Z', projects: ['default'] },
    });
    assert.equal(deploy.status, 201, JSON.stringify(deploy.body));
    assert.deepEqual([deploy.body.name, deploy.body.url, deploy.body.dateStarted], ['eu-1', null, null]);
    const finalized = await http('/api/0/organizations/default/releases/nulls@1/', {
      method: 'PUT',
      body: { projects: ['default'], dateReleased: '2026-12-03T10:25:00Z', url: null },
    });
    assert.equal(finalized.status, 200, JSON.stringify(finalized.body));
    assert.equal(finalized.body.url, null);
  });

  test('an assemble request the schema refuses is a 400 naming the field', async () => {
    const url = '/api/0/organizations/default/artifactbundle/assemble/';
    const badChecksum = await http(url, { body: { checksum: 'abc', chunks: [], projects: ['default'] } });
    assert.equal(badChecksum.status, 400);
    assert.deepEqual([badChecksum.body.error.code, badChecksum.body.error.field], ['invalid_body', 'checksum']);
    const badChunk = await http(url, { body: { checksum: sha1('x'), chunks: [sha1('x'), 'nope'], projects: ['default'] } });
    assert.equal(badChunk.status, 400);
    assert.equal(badChunk.body.error.field, 'chunks[1]');
    const noChunks = await http(url, { body: { checksum: sha1('x'), projects: ['default'] } });
    assert.equal(noChunks.status, 400);
    assert.match(noChunks.body.error.message, /"chunks" is required in the body/);
    const badPage = await http('/api/0/organizations/default/releases/?per_page=0');
    assert.equal(badPage.status, 400);
    assert.equal(badPage.body.error.field, 'per_page');
  });
});

describe('symbolication through the release-file flows', () => {
  test('a browser frame (https URL) of a release maps through a release bundle by ~/path', async () => {
    const { code, map } = await minified();
    await http('/api/0/organizations/default/releases/', { body: { version: 'web@1.0.0', projects: ['default'] } });
    const zip = bundle({
      'f1': { url: '~/assets/greet.min.js', type: 'minified_source', headers: { Sourcemap: 'greet.min.js.map' }, content: code },
      'f2': { url: '~/assets/greet.min.js.map', type: 'source_map', content: map },
    });
    await uploadChunks(zip);
    const assembled = await http('/api/0/organizations/default/releases/web@1.0.0/assemble/', { body: { checksum: sha1(zip), chunks: [sha1(zip)] } });
    assert.equal(assembled.body.state, 'ok');
    const { lineno, colno } = throwPosition(code);
    const id = await sendEvent({
      release: 'web@1.0.0',
      platform: 'javascript',
      exception: { values: [{ type: 'RangeError', value: 'no name', stacktrace: { frames: [{ function: 'n', abs_path: 'https://cdn.example.com/assets/greet.min.js', lineno, colno, in_app: true }] } }] },
    });
    const event = (await http(`/api/0/projects/${server.projectId}/events/${id}/`)).body;
    const frame = event.payload?.exception?.values[0].stacktrace.frames[0] ?? event.exception.values[0].stacktrace.frames[0];
    assert.equal(frame.function, 'greet');
    assert.equal(frame.filename, 'src/greet.js');
    assert.equal(frame.lineno, 3);
    assert.equal(frame.context_line, "    throw new RangeError('no name');");
  });

  test('one file at a time (the oldest flow) works the same', async () => {
    const { code, map } = await minified();
    await http(`/api/0/projects/${server.projectId}/releases/`, { body: { version: 'web@2.0.0' } });
    for (const [name, content, header] of [['~/js/one.min.js', code, 'Sourcemap: one.min.js.map'], ['~/js/one.min.js.map', map, null]] as const) {
      const form = new FormData();
      form.append('name', name);
      if (header) form.append('header', header);
      form.append('file', new Blob([strToU8(content)]), name.slice(2));
      const res = await http('/api/0/projects/default/default/releases/web@2.0.0/files/', { form });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const { lineno, colno } = throwPosition(code);
    const id = await sendEvent({
      release: 'web@2.0.0',
      exception: { values: [{ type: 'RangeError', value: 'no name', stacktrace: { frames: [{ function: 'n', abs_path: 'https://example.com/js/one.min.js', lineno, colno }] } }] },
    });
    const event = (await http(`/api/0/projects/${server.projectId}/events/${id}/`)).body;
    const frame = (event.payload ?? event).exception.values[0].stacktrace.frames[0];
    assert.equal(frame.function, 'greet');
  });

  test('a missing or broken map is a processing error on the stored event, never a failed ingest', async () => {
    const brokenId = randomUUID();
    const zip = bundle({ 'b.map': { url: '~/broken.min.js.map', type: 'source_map', headers: { 'debug-id': brokenId }, content: '{not json' } });
    await uploadChunks(zip);
    await http('/api/0/organizations/default/artifactbundle/assemble/', { body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] } });
    const missingId = randomUUID();
    const id = await sendEvent({
      exception: { values: [{ type: 'TypeError', value: 'x', stacktrace: { frames: [
        { function: 'a', abs_path: 'https://x.test/missing.min.js', lineno: 1, colno: 5 },
        { function: 'b', abs_path: 'https://x.test/broken.min.js', lineno: 1, colno: 5 },
      ] } }] },
      debug_meta: { images: [
        { type: 'sourcemap', code_file: 'https://x.test/broken.min.js', debug_id: brokenId },
        { type: 'sourcemap', code_file: 'https://x.test/missing.min.js', debug_id: missingId },
      ] },
    });
    const event = (await http(`/api/0/projects/${server.projectId}/events/${id}/`)).body;
    const errors = ((event.payload ?? event).processingErrors as Array<{ type: string; url: string }>).map((e) => [e.type, e.url]).sort();
    assert.deepEqual(errors, [['js_invalid_source', 'https://x.test/broken.min.js'], ['js_no_source', 'https://x.test/missing.min.js']]);
    const frames = (event.payload ?? event).exception.values[0].stacktrace.frames;
    assert.deepEqual(frames.map((f: { function: string }) => f.function), ['a', 'b']);
  });
});
