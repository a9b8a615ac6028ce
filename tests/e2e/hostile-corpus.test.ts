/**
 * A corpus of hostile requests against the real server (issue 17): out-of-range numbers, tag
 * floods, bad JSON, lying lengths, bombs of every encoding, invalid UTF-8, 100,000-deep nesting,
 * NUL bytes, prototype keys, SQL-looking search parameters, oversized headers and raw garbage.
 * No answer may be a 5xx other than 503 server_busy with Retry-After (the body memory limit); the
 * server's peak RSS stays bounded; and afterwards an ordinary event still ingests and is listed, and
 * the trace and log lists still answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../helpers/server.js';

const BODY_MEMORY_MB = 128;
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { PROLIFERATE_MAX_BODY_MEMORY_MB: String(BODY_MEMORY_MB) } });
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Answer { name: string; status: number; retryAfter: string | null; code?: string }
const answers: Answer[] = [];

async function record(name: string, response: Response): Promise<void> {
  const text = await response.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text)?.error?.code;
  } catch {
    code = undefined;
  }
  answers.push({ name, status: response.status, retryAfter: response.headers.get('retry-after'), code });
}

const ingestUrl = (kind: 'store' | 'envelope') => `${server.url}/api/${server.projectId}/${kind}/?sentry_key=${server.publicKey}`;
const post = async (name: string, kind: 'store' | 'envelope', body: string | Buffer, headers: Record<string, string> = {}) =>
  record(name, await fetch(ingestUrl(kind), { method: 'POST', body, headers }));
const envelopeOf = (items: Array<[object, string | object]>, headers: object = {}) =>
  [JSON.stringify(headers), ...items.flatMap(([h, p]) => [JSON.stringify(h), typeof p === 'string' ? p : JSON.stringify(p)])].join('\n');
const api = async (name: string, path: string, init: RequestInit = {}) =>
  record(name, await fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${server.adminToken}`, ...(init.headers as Record<string, string>) } }));

/** Raw bytes over a socket: every status line the server sent before closing (or 3 s passing). */
function raw(bytes: Buffer | string): Promise<number[]> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    const done = () => resolve([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])));
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.setTimeout(3000, () => socket.destroy());
    socket.write(bytes);
    socket.end();
  });
}

test('a corpus of hostile requests gets no 5xx, keeps RSS bounded, and leaves a working API', async () => {
  const baseline = peakRssMb(server.process.pid!);
  const event = (extra: object = {}) => ({ event_id: newId(), message: 'hostile', ...extra });

  // Out-of-range numbers (defects 1, 2 and 4).
  // biome-ignore lint/correctness/noPrecisionLoss: a timestamp past 2^53, as a hostile client writes it
  for (const timestamp of [1e20, -9e15, 9007199254740993, 1e300, -1e300, '1e400', 'NaN']) {
    await post(`timestamp ${timestamp} /store/`, 'store', JSON.stringify(event({ timestamp })));
    await post(`timestamp ${timestamp} envelope`, 'envelope', envelopeOf([[{ type: 'event' }, event({ timestamp })]]));
  }
  const traceId = newId();
  await post('transaction -1e300..1e300', 'envelope', envelopeOf([[{ type: 'transaction' }, {
    type: 'transaction', start_timestamp: -1e300, timestamp: 1e300, transaction: 'x',
    contexts: { trace: { trace_id: traceId, span_id: newId().slice(0, 16) } },
    spans: [{ span_id: newId().slice(0, 16), start_timestamp: 1e308, timestamp: -1e308, data: { n: 1e308 } }],
    measurements: { lcp: { value: -1e300 } },
  }]]));
  await post('log at 1e300', 'envelope', envelopeOf([[{ type: 'log' }, { items: [{ timestamp: 1e300, body: 'x', severity_number: 1e300, trace_id: traceId }] }]]));
  await post('span v2 at 1e300', 'envelope', envelopeOf([[{ type: 'span' }, { version: 2, items: [{ trace_id: newId(), span_id: newId().slice(0, 16), start_timestamp: 1e300, end_timestamp: -1e300 }] }]]));
  const maxNs = '18446744073709551615';
  await record('OTLP 2^64-1 ns', await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: newId(), spanId: newId().slice(0, 16), name: 'x', startTimeUnixNano: maxNs, endTimeUnixNano: maxNs }] }] }] }),
  }));

  // A tag flood (defect 5) and prototype keys everywhere.
  const manyTags: Record<string, string> = {};
  for (let k = 0; k < 10_000; k++) manyTags[`t${k}`] = 'v';
  await post('10,000 tags', 'store', JSON.stringify(event({ tags: manyTags })));
  const proto = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';
  await post('prototype keys at the top', 'store', `{"event_id": "${newId()}", "message": "p", ${proto.slice(1, -1)}}`);
  await post('prototype keys in tags, extra, contexts, user', 'store',
    `{"event_id": "${newId()}", "message": "p", "tags": ${proto}, "extra": ${proto}, "contexts": ${proto}, "user": ${proto}, "breadcrumbs": [${proto}]}`);
  await post('prototype keys as tag pairs', 'store', JSON.stringify(event({ tags: [['__proto__', 'x'], ['constructor', 'y'], ['prototype', 'z']] })));
  await post('prototype keys in an envelope header', 'envelope', `${proto}\n{"type": "event"}\n${JSON.stringify(event())}`);

  // Bad JSON and lying lengths.
  for (const body of ['{', '{"event_id": ', 'null', '[]', '"text"', '1e999', '{"message": "\\ud800"}', '\u0000', '']) {
    await post(`bad JSON ${JSON.stringify(body)} /store/`, 'store', body);
    await post(`bad JSON ${JSON.stringify(body)} envelope item`, 'envelope', `{}\n{"type": "event"}\n${body}`);
  }
  await post('envelope header not JSON', 'envelope', 'not json\n{"type":"event"}\n{}');
  await post('item length past the end', 'envelope', `{}\n{"type": "event", "length": 999999}\n{"message": "short"}`);
  await post('item length too short', 'envelope', `{}\n{"type": "event", "length": 3}\n{"message": "longer than three"}`);
  await post('item length negative and fractional', 'envelope', `{}\n{"type": "event", "length": -5}\n{}\n{"type": "event", "length": 2.5}\n{}`);
  await post('item length huge', 'envelope', `{}\n{"type": "event", "length": 1e300}\n{}`);
  await post('10,000 empty items', 'envelope', `{}\n${'{"type":"event"}\n{}\n'.repeat(10_000)}`);
  const lying = await raw(`POST /api/${server.projectId}/store/?sentry_key=${server.publicKey} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{"message": "longer than five bytes"}`);
  answers.push(...lying.map((status) => ({ name: 'Content-Length shorter than the body', status, retryAfter: null })));
  const short = await raw(`POST /api/${server.projectId}/store/?sentry_key=${server.publicKey} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"message": "x"}`);
  answers.push(...short.map((status) => ({ name: 'Content-Length longer than the body', status, retryAfter: null })));
  const garbage = await raw(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
  answers.push(...garbage.map((status) => ({ name: 'garbage instead of HTTP', status, retryAfter: null })));
  const conflicting = await raw(`POST /api/${server.projectId}/store/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
  answers.push(...conflicting.map((status) => ({ name: 'Content-Length and chunked together', status, retryAfter: null })));

  // Bombs of every encoding, at once (defect 3); zstd is not a supported encoding (415).
  const zeros = Buffer.alloc(150 * 1024 * 1024);
  const bombs: Array<[string, Buffer]> = [
    ['gzip', gzipSync(zeros, { level: 1 })],
    ['deflate', deflateSync(zeros, { level: 1 })],
    ['deflate', deflateRawSync(zeros, { level: 1 })],
    ['br', brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00])],
  ];
  await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const [encoding, body] = bombs[i % bombs.length]!;
    return post(`${encoding} bomb`, i % 2 ? 'envelope' : 'store', body, { 'content-encoding': encoding });
  }));
  await Promise.all(bombs.map(async ([encoding, body]) => record(`${encoding} bomb on OTLP`, await fetch(`${server.url}/v1/logs`, {
    method: 'POST', body, headers: { 'content-encoding': encoding, 'content-type': 'application/json', 'x-proliferate-key': server.publicKey },
  }))));
  await post('corrupt gzip', 'store', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]), { 'content-encoding': 'gzip' });

  // Invalid UTF-8, NUL bytes, deep nesting.
  const invalidUtf8 = Buffer.concat([Buffer.from(`{"event_id": "${newId()}", "message": "bad `), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('", "tags": {"k": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}')]);
  await post('invalid UTF-8 /store/', 'store', invalidUtf8);
  await post('invalid UTF-8 envelope', 'envelope', Buffer.concat([Buffer.from('{}\n{"type":"event"}\n'), invalidUtf8]));
  await post('NUL bytes everywhere', 'store', JSON.stringify({
    event_id: newId(), message: 'nul\u0000here', environment: 'prod\u0000', release: '\u00001.0', transaction: '\u0000',
    tags: { 'k\u0000': 'v', k: 'v\u0000w' }, user: { id: '\u0000', email: 'a\u0000@b' }, fingerprint: ['\u0000'],
    exception: { values: [{ type: 'E\u0000', value: '\u0000', stacktrace: { frames: [{ function: '\u0000', filename: '\u0000' }] } }] },
  }));
  await post('NUL event id', 'store', JSON.stringify({ event_id: '\u0000'.repeat(32), message: 'x' }));
  const depth = 100_000;
  await post('100,000-deep arrays in extra', 'store', `{"event_id": "${newId()}", "message": "deep", "extra": {"d": ${'['.repeat(depth)}${']'.repeat(depth)}}}`);
  await post('100,000-deep objects in contexts', 'store', `{"event_id": "${newId()}", "message": "deep", "contexts": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
  await post('100,000-deep breadcrumbs data', 'envelope', `{}\n{"type":"event"}\n{"message": "deep", "breadcrumbs": [{"data": ${'['.repeat(depth)}${']'.repeat(depth)}}]}`);
  await post('100,000-deep exception', 'store', `{"message": "deep", "exception": ${'{"values":['.repeat(depth / 10)}${']}'.repeat(depth / 10)}}`);
  await post('100,000-deep transaction data', 'envelope', `{}\n{"type":"transaction"}\n{"contexts": {"trace": {"trace_id": "${newId()}", "span_id": "${newId().slice(0, 16)}", "data": ${'['.repeat(depth)}${']'.repeat(depth)}}}}`);
  await record('100,000-deep OTLP attributes', await fetch(`${server.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-proliferate-key': server.publicKey },
    body: `{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": ${'{"arrayValue": {"values": ['.repeat(depth / 10)}${']}}'.repeat(depth / 10)}}]}]}]}`,
  }));
  await api('100,000-deep API body', `/api/0/projects/${server.projectId}/traces/tags/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"filter": "", "set": ${'['.repeat(depth)}${']'.repeat(depth)}}` });

  // SQL-looking text in every search parameter of the API.
  const sqlish = ["'; DROP TABLE events; --", '" OR 1=1 --', "x') UNION SELECT * FROM api_tokens --", '%', '_', '\\', '*', '\u0000', 'tier:"\'; DELETE FROM issues; --"', 'tier:(enterprise'];
  const p = `/api/0/projects/${server.projectId}`;
  for (const text of sqlish) {
    const q = encodeURIComponent(text);
    for (const path of [
      `${p}/issues/?query=${q}`, `${p}/issues/?environment=${q}`, `${p}/issues/?sort=${q}`, `${p}/issues/?cursor=${q}`, `${p}/issues/?statsPeriod=${q}`, `${p}/issues/?limit=${q}`,
      `${p}/events/?query=${q}`, `${p}/events/?cursor=${q}`, `${p}/tags/?cursor=${q}`, `${p}/tags/${q}/values/?query=${q}`,
      `${p}/tags/${q}/distribution/?query=${q}`, `${p}/tags/tier/compare/?query=${q}`, `${p}/tags/${q}/stats/?values=${q}`, `${p}/events/stats/?query=${q}&period=${q}`,
      `${p}/traces/?filter=${q}`, `${p}/traces/?order_by=${q}`, `${p}/traces/?page_token=${q}`,
      `${p}/logs/?query=${q}`, `${p}/logs/?level=${q}`, `${p}/logs/?trace_id=${q}`, `${p}/logs/?cursor=${q}`, `${p}/logs/?start=${q}`, `${p}/logs/?around=${q}`,
      `/api/0/traces/${q}/`, `${p}/events/${q}/`, `/api/0/issues/${q}/`,
    ]) await api(`GET ${path}`, path);
    await api(`trace filter ${text}`, `${p}/traces/tags/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filter: text, set: { tier: 'x' } }) });
  }

  // HTTP edges (defects 6 and 7).
  await api('oversized header', '/healthz', { headers: { 'x-big': 'a'.repeat(64 * 1024) } });
  await api('DELETE with an empty JSON body', `${p}/keys/pk_not_a_key/`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
  await api('PUT with an empty JSON body', `/api/0/traces/${newId()}/tags/tier`, { method: 'PUT', headers: { 'content-type': 'application/json' } });
  await api('PUT with prototype keys', `${p}/issues/?id=1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"__proto__": {"status": "resolved"}}' });

  const peak = peakRssMb(server.process.pid!);
  const bad = answers.filter((a) => a.status >= 500 && !(a.status === 503 && a.code === 'server_busy' && Number(a.retryAfter) > 0));
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  console.log(`${answers.length} hostile requests: ${[...byStatus].map(([s, n]) => `${s}x${n}`).join(' ')}; peak RSS ${peak.toFixed(0)} MB (from ${baseline.toFixed(0)} MB)`);
  assert.deepEqual(bad, [], 'no 5xx other than 503 server_busy with Retry-After');
  assert.ok(peak < baseline + 3 * BODY_MEMORY_MB + 200, `peak RSS ${peak.toFixed(0)} MB`);

  // The API still works: an ordinary event ingests and is listed; trace and log lists answer.
  const id = newId();
  const ok = await fetch(ingestUrl('store'), { method: 'POST', body: JSON.stringify({ event_id: id, message: 'an ordinary event after the corpus', tags: { tier: 'free' } }) });
  assert.equal(ok.status, 200);
  const listed = await server.api(`${p}/events/?query=${encodeURIComponent('tier:free')}`);
  assert.equal(listed.status, 200);
  assert.ok(listed.body.some((e: { eventId: string }) => e.eventId === id), 'the ordinary event is listed');
  const issues = await server.api(`${p}/issues/?query=${encodeURIComponent('ordinary event')}`);
  assert.equal(issues.status, 200);
  assert.equal(issues.body.length, 1);
  assert.equal((await server.api(`${p}/traces/`)).status, 200);
  assert.equal((await server.api(`${p}/logs/`)).status, 200);
  assert.equal((await server.api(`/api/0/traces/${traceId}/`)).status, 200);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
