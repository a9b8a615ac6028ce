/**
 * An event that arrives after the upload was answered must be symbolicated, however loaded the
 * machine. The assemble route parses the new bundle's maps before it answers, so the first event
 * maps from the cache and never waits on the store inside the ingest budget. The server runs with a
 * 1 ms budget to make that certain: on PostgreSQL a cold map read is network I/O that cannot finish
 * in 1 ms, so without the warm-up the event would be stored as sent with js_symbolication_timeout
 * (what CI saw as a second issue for one bug on a machine at load 25).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { transform } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/postgres.js';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

const SOURCE = `function greet(name) {\n  if (!name) {\n    throw new RangeError('no name');\n  }\n  return 'hi ' + name;\n}\nexport function main() {\n  return greet('');\n}\n`;
const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

async function uploadBundle(server: RunningServer, debugId: string): Promise<{ lineno: number; colno: number }> {
  const out = await transform(SOURCE, { minify: true, sourcemap: 'external', sourcefile: 'src/greet.js', format: 'esm' });
  const files = {
    'app.js': { url: '~/app.min.js', type: 'minified_source', headers: { 'debug-id': debugId, Sourcemap: 'app.min.js.map' }, content: out.code },
    'app.js.map': { url: '~/app.min.js.map', type: 'source_map', headers: { 'debug-id': debugId }, content: out.map },
  };
  const manifest = { files: Object.fromEntries(Object.entries(files).map(([path, f]) => [path, { url: f.url, type: f.type, headers: f.headers }])) };
  const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...Object.fromEntries(Object.entries(files).map(([path, f]) => [path, strToU8(f.content)])) });
  const form = new FormData();
  form.append('file', new Blob([zip]), sha1(zip));
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const chunk = await fetch(`${server.url}/api/0/organizations/default/chunk-upload/`, { method: 'POST', headers: auth, body: form });
  assert.equal(chunk.status, 200);
  const assembled = await server.api('/api/0/organizations/default/artifactbundle/assemble/', {
    body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] },
  });
  assert.equal(assembled.body.state, 'ok');
  const lines = out.code.split('\n');
  const lineno = lines.findIndex((l) => l.includes('throw')) + 1;
  return { lineno, colno: lines[lineno - 1]!.indexOf('throw') + 1 };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`on ${backend}: the first event after an upload, with a 1 ms symbolication budget`, () => {
    let server: RunningServer;
    let database: TestDatabase | undefined;
    after(async () => {
      await server?.stop();
      await database?.drop();
    });

    test('is symbolicated from the maps the upload parsed, with no timeout recorded', async () => {
      database = backend === 'postgres' ? await createTestDatabase('fixes_warm') : undefined;
      server = await startServer({
        env: { PROLIFERATE_SYMBOLICATION_BUDGET_MS: '1', ...(database ? { PROLIFERATE_DATABASE_URL: database.url } : {}) },
      });
      const debugId = randomUUID();
      const { lineno, colno } = await uploadBundle(server, debugId);
      const eventId = randomUUID().replace(/-/g, '');
      const sent = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, {
        method: 'POST',
        body: JSON.stringify({
          event_id: eventId,
          platform: 'javascript',
          debug_meta: { images: [{ type: 'sourcemap', code_file: 'https://shop.example/app.min.js', debug_id: debugId }] },
          exception: { values: [{ type: 'RangeError', value: 'no name', stacktrace: { frames: [{ function: 'n', abs_path: 'https://shop.example/app.min.js', lineno, colno, in_app: true }] } }] },
        }),
      });
      assert.equal(sent.status, 200);
      let event: any;
      for (let i = 0; i < 100 && !event; i++) {
        const { status, body } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
        if (status === 200) event = body;
        else await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(event, 'the event was stored');
      const frame = event.exception.values[0].stacktrace.frames[0];
      assert.deepEqual(event.processingErrors ?? [], []);
      assert.deepEqual([frame.function, frame.filename, frame.lineno], ['greet', 'src/greet.js', 3]);
    });
  });
}
