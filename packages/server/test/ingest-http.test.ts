import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const errorEvent = (id: string, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  exception: { values: [{ type: 'IngestTestError', value: 'boom', stacktrace: { frames: [{ function: 'handler', filename: 'ingest.js' }] } }] },
  tags: { tier: 'free' },
  ...extra,
});
const envelope = (event: object, withLength = false, trailingNewline = true) => {
  const payload = JSON.stringify(event);
  const itemHeader = withLength ? { type: 'event', length: Buffer.byteLength(payload) } : { type: 'event' };
  return `${JSON.stringify({ event_id: (event as { event_id?: string }).event_id })}\n${JSON.stringify(itemHeader)}\n${payload}${trailingNewline ? '\n' : ''}`;
};

interface RawResponse { status: number; body: any; headers: Record<string, unknown> }

/** Plain node:http so the test controls every header, chunked bodies and missing content types. */
function post(path: string, body: Buffer | string | Buffer[], headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(server.url + path, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null, headers: res.headers }));
    });
    req.on('error', reject);
    for (const part of Array.isArray(body) ? body : [body]) req.write(part);
    req.end();
  });
}

const keyQuery = () => `?sentry_key=${server.publicKey}`;
const envelopePath = () => `/api/${server.projectId}/envelope/`;

async function storedEvent(id: string) {
  return server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
}

describe('authentication', () => {
  test('X-Sentry-Auth header, sentry_key query parameter and Bearer all authenticate', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['', { 'x-sentry-auth': `Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=${server.publicKey}` }],
      [keyQuery(), {}],
      ['', { authorization: `Bearer ${server.publicKey}` }],
    ];
    for (const [query, headers] of cases) {
      const id = newId();
      const res = await post(envelopePath() + query, envelope(errorEvent(id)), headers);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { id });
    }
  });

  test('a DSN in the envelope header authenticates when the request carries no key (tunnels)', async () => {
    const id = newId();
    const body = `${JSON.stringify({ event_id: id, dsn: server.dsn })}\n{"type":"event"}\n${JSON.stringify(errorEvent(id))}\n`;
    assert.equal((await post(envelopePath(), body)).status, 200);
  });

  test('missing key is 401, wrong key is 403, unknown project is 404, all as JSON errors', async () => {
    const body = envelope(errorEvent(newId()));
    const missing = await post(envelopePath(), body);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'missing_key');
    const wrong = await post(envelopePath() + '?sentry_key=pk_nope_123', body);
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'invalid_key');
    const unknown = await post(`/api/9999/envelope/${keyQuery()}`, body);
    assert.equal(unknown.status, 404);
    const notNumeric = await post(`/api/abc/envelope/${keyQuery()}`, body);
    assert.equal(notNumeric.status, 404);
  });

  test('a request with a wrong or missing key is refused before its body is read or decompressed', async () => {
    const garbage = Buffer.from('this is not gzip at all');
    const wrong = await post(envelopePath() + '?sentry_key=pk_nope_123', garbage, { 'content-encoding': 'gzip' });
    assert.equal(wrong.status, 403);
    const storeWithoutKey = await post(`/api/${server.projectId}/store/`, garbage, { 'content-encoding': 'gzip' });
    assert.equal(storeWithoutKey.status, 401);
    const unknownProject = await post('/api/9999/envelope/', garbage, { 'content-encoding': 'gzip' });
    assert.equal(unknownProject.status, 404);
    // Without a key in the request, an envelope may still name its DSN in its header: read it.
    const keyless = await post(envelopePath(), garbage, { 'content-encoding': 'gzip' });
    assert.equal(keyless.status, 400);
  });

  test("a key of another project is refused for this project", async () => {
    const created = await server.api('/api/0/projects/', { body: { name: 'Other app' } });
    assert.equal(created.status, 201);
    const res = await post(`${envelopePath()}?sentry_key=${created.body.publicKey}`, envelope(errorEvent(newId())));
    assert.equal(res.status, 403);
  });
});

describe('bodies as real clients send them', () => {
  test('gzip, deflate, br and an empty Content-Encoding are accepted', async () => {
    const encodings: Array<[string, (b: Buffer) => Buffer]> = [
      ['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync], ['', (b) => b],
    ];
    for (const [encoding, compress] of encodings) {
      const id = newId();
      const res = await post(envelopePath() + keyQuery(), compress(Buffer.from(envelope(errorEvent(id)))), { 'content-encoding': encoding });
      assert.equal(res.status, 200, `${encoding}: ${JSON.stringify(res.body)}`);
      assert.equal((await storedEvent(id)).status, 200);
    }
  });

  test('a chunked body without Content-Type or Content-Length is accepted', async () => {
    const id = newId();
    const text = Buffer.from(envelope(errorEvent(id), true));
    const parts = [text.subarray(0, 10), text.subarray(10, 50), text.subarray(50)];
    const res = await post(envelopePath() + keyQuery(), parts, { 'transfer-encoding': 'chunked' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await storedEvent(id)).status, 200);
  });

  test('item length present or absent, trailing newline or not, any Content-Type', async () => {
    for (const [withLength, trailing, type] of [[true, false, 'application/x-sentry-envelope'], [false, false, 'text/plain;charset=UTF-8'], [true, true, 'application/json']] as const) {
      const id = newId();
      const res = await post(envelopePath() + keyQuery(), envelope(errorEvent(id), withLength, trailing), { 'content-type': type });
      assert.equal(res.status, 200);
      assert.equal((await storedEvent(id)).status, 200);
    }
  });

  test('the legacy store endpoint takes a bare event', async () => {
    const id = newId();
    const res = await post(`/api/${server.projectId}/store/${keyQuery()}`, gzipSync(JSON.stringify(errorEvent(id))), { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id });
  });

  test('every other item type is accepted without failing the envelope', async () => {
    const id = newId();
    const items = ['transaction', 'span', 'log', 'session', 'sessions', 'client_report', 'attachment', 'check_in', 'feedback', 'something_new']
      .map((type) => `{"type":"${type}"}\n{"ok":true}`)
      .join('\n');
    const body = `{"event_id":"${id}"}\n${items}\n{"type":"event"}\n${JSON.stringify(errorEvent(id))}\n`;
    const res = await post(envelopePath() + keyQuery(), body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await storedEvent(id)).status, 200);
  });

  test('browsers get CORS headers and a preflight answer', async () => {
    const res = await fetch(server.url + envelopePath(), { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });
});

describe('bad input', () => {
  test('malformed envelopes and events are 400 with a code and message that name the problem', async () => {
    const cases: Array<[string, string]> = [
      ['not json at all', 'invalid_envelope'],
      ['{}\n{"type":"event"}\n{not json', 'invalid_json'],
      ['{}\n{"type":"event"}\n[1,2,3]', 'invalid_event'],
      ['{}\n{"type":"event","length":999}\n{}', 'invalid_item_length'],
      ['{}\n{"length":2}\n{}', 'invalid_item_header'],
    ];
    for (const [body, code] of cases) {
      const res = await post(envelopePath() + keyQuery(), body);
      assert.equal(res.status, 400, body);
      assert.equal(res.body.error.code, code, body);
      assert.equal(typeof res.body.error.message, 'string');
    }
    const empty = await post(envelopePath() + keyQuery(), '');
    assert.equal(empty.status, 400);
  });

  test('an event item over 1 MB is 413', async () => {
    const big = errorEvent(newId(), { extra: { blob: 'x'.repeat(1_100_000) } });
    const res = await post(envelopePath() + keyQuery(), gzipSync(envelope(big)), { 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'event_too_large');
  });

  test('a gzip bomb is refused with 413 and the server keeps serving', async () => {
    const bomb = gzipSync(Buffer.alloc(300 * 1024 * 1024), { level: 9 });
    const res = await post(envelopePath() + keyQuery(), bomb, { 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    const id = newId();
    assert.equal((await post(envelopePath() + keyQuery(), envelope(errorEvent(id)))).status, 200);
  });
});

describe('grouping and issue state', () => {
  test('a resent event id is stored once and counted once', async () => {
    const id = newId();
    const event = errorEvent(id, { exception: { values: [{ type: 'ResentError', stacktrace: { frames: [{ function: 'f', filename: 'r.js' }] } }] } });
    for (let i = 0; i < 3; i++) assert.equal((await post(envelopePath() + keyQuery(), envelope(event))).status, 200);
    const issues = await server.api(`/api/0/projects/${server.projectId}/issues/?query=ResentError`);
    assert.equal(issues.body.length, 1);
    assert.equal(issues.body[0].count, 1);
  });

  test('a new event on a resolved issue reopens it and marks it regressed', async () => {
    const event = (id: string) => errorEvent(id, { exception: { values: [{ type: 'RegressionError', stacktrace: { frames: [{ function: 'g', filename: 'reg.js' }] } }] } });
    await post(envelopePath() + keyQuery(), envelope(event(newId())));
    const [issue] = (await server.api(`/api/0/projects/${server.projectId}/issues/?query=RegressionError`)).body;
    const resolved = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'resolved' } });
    assert.equal(resolved.body.status, 'resolved');
    await post(envelopePath() + keyQuery(), envelope(event(newId())));
    const reopened = (await server.api(`/api/0/issues/${issue.id}/`)).body;
    assert.equal(reopened.status, 'unresolved');
    assert.equal(reopened.isRegressed, true);
    assert.equal(reopened.count, 2);
    const regressed = await server.api(`/api/0/projects/${server.projectId}/issues/?query=is:regressed`);
    assert.ok(regressed.body.some((i: { id: number }) => i.id === issue.id));
  });

  test('dropped tags are visible on the stored event', async () => {
    const id = newId();
    await post(envelopePath() + keyQuery(), envelope(errorEvent(id, { tags: { 'bad key!': 'x', good: 'yes' } })));
    const event = (await storedEvent(id)).body;
    assert.equal(event.tags.good, 'yes');
    assert.deepEqual(event.processingErrors, [{ type: 'invalid_tag', key: 'bad key!', reason: 'key_invalid_characters', value: 'x' }]);
  });
});
