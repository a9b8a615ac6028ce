/**
 * Replay ingest and API with hand-made envelopes for what real SDKs do not send: malformed
 * recordings, a segment over its cap, a recording without its replay_event, a resent segment, bad
 * search keys and cursors. (The real @sentry/browser and our SDK are in tests/e2e/replay-*.test.ts.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const now = Date.now();
const rrweb = (count: number, start = now) => Array.from({ length: count }, (_, i) => ({ type: i === 0 ? 4 : 3, timestamp: start + i * 100, data: {} }));

function envelope(replayId: string, segmentId: number, recording: Buffer | string, extra: Record<string, unknown> = {}, withEvent = true): Buffer {
  const event = { type: 'replay_event', replay_id: replayId, segment_id: segmentId, timestamp: now / 1000, replay_start_timestamp: now / 1000, urls: ['https://shop.test/cart'], error_ids: [], ...extra };
  const rec = Buffer.concat([Buffer.from(`{"segment_id":${segmentId}}\n`), Buffer.isBuffer(recording) ? recording : Buffer.from(recording)]);
  const parts = [Buffer.from(`{"event_id":"${replayId}"}\n`)];
  if (withEvent) parts.push(Buffer.from(`{"type":"replay_event"}\n${JSON.stringify(event)}\n`));
  parts.push(Buffer.from(`{"type":"replay_recording","length":${rec.length}}\n`), rec, Buffer.from('\n'));
  return Buffer.concat(parts);
}

const post = (body: Buffer) => fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body });
const newId = () => randomUUID().replace(/-/g, '');

test('a plain-JSON recording and a zlib one are both stored, and a resent segment is stored once', async () => {
  const id = newId();
  assert.equal((await post(envelope(id, 0, JSON.stringify(rrweb(3))))).status, 200);
  assert.equal((await post(envelope(id, 1, deflateSync(JSON.stringify(rrweb(2, now + 1000)))))).status, 200);
  assert.equal((await post(envelope(id, 1, deflateSync(JSON.stringify(rrweb(2, now + 1000)))))).status, 200);
  const { body } = await server.api(`/api/0/replays/${id}/`);
  assert.equal(body.segments, 2);
  assert.equal(body.duration, 1.1);
  const recording = await server.api(`/api/0/replays/${id}/recording/`);
  assert.equal(recording.body.length, 5);
});

test('malformed recordings are refused with 400 naming the problem', async () => {
  const cases: Array<[Buffer | string, string]> = [
    ['{"not":"an array"}', 'invalid_replay_recording'],
    ['[{"type":"x"}]', 'invalid_replay_recording'],
    [Buffer.from([0x78, 0x9c, 1, 2, 3]), 'invalid_replay_recording'],
  ];
  for (const [recording, code] of cases) {
    const response = await post(envelope(newId(), 0, recording));
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as any).error.code, code);
  }
  const noEvent = await post(envelope(newId(), 0, '[]', {}, false));
  assert.equal(noEvent.status, 400);
  assert.equal(((await noEvent.json()) as any).error.code, 'invalid_replay_envelope');
  const badId = await post(envelope('not-hex', 0, '[]'));
  assert.equal(badId.status, 400);
  assert.equal(((await badId.json()) as any).error.code, 'invalid_replay_event');
});

test('a segment over 10 MiB is refused with 413; a zlib bomb past 64 MiB inflated too', async () => {
  const big = await post(envelope(newId(), 0, `[${'{"type":3,"timestamp":1,"data":{}},'.repeat(330_000)}{"type":3,"timestamp":1}]`));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as any).error.code, 'replay_segment_too_large');
  const bomb = await post(envelope(newId(), 0, deflateSync(Buffer.alloc(70 * 1024 * 1024, 32))));
  assert.equal(bomb.status, 413);
  assert.equal(((await bomb.json()) as any).error.code, 'replay_segment_too_large');
});

test('search keys, cursors, limits and replay ids are checked: 400 with our error shape naming the field', async () => {
  for (const query of ['bad key!:x', 'user.id:', `${'k'.repeat(40)}:v`]) {
    const { status, body } = await server.api(`/api/0/projects/${server.projectId}/replays/?query=${encodeURIComponent(query)}`);
    assert.equal(status, 400, query);
    assert.equal(body.error.code, 'invalid_query');
  }
  const cursor = await server.api(`/api/0/projects/${server.projectId}/replays/?cursor=nonsense`);
  assert.equal(cursor.status, 400);
  assert.equal(cursor.body.error.code, 'invalid_cursor');
  const badId = await server.api(`/api/0/replays/zzz/`);
  assert.equal(badId.status, 400);
  assert.deepEqual([badId.body.error.code, badId.body.error.field], ['invalid_parameter', 'replayId']);
  const badLimit = await server.api(`/api/0/projects/${server.projectId}/replays/?limit=0`);
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.body.error.field, 'limit');
});

test('pages of replays follow the cursor, newest first, without repeats', async () => {
  for (const offset of [5_000, 10_000]) {
    assert.equal((await post(envelope(newId(), 0, JSON.stringify(rrweb(2, now + offset)), { replay_start_timestamp: (now + offset) / 1000 }))).status, 200);
  }
  const { body: all } = await server.api(`/api/0/projects/${server.projectId}/replays/`);
  assert.equal(all.length, 3);
  const response = await fetch(`${server.url}/api/0/projects/${server.projectId}/replays/?limit=2`, { headers: { authorization: `Bearer ${server.adminToken}` } });
  const first = (await response.json()) as Array<{ id: string }>;
  const cursor = response.headers.get('x-next-cursor');
  assert.ok(cursor);
  const second = await server.api(`/api/0/projects/${server.projectId}/replays/?limit=2&cursor=${cursor}`);
  assert.deepEqual([...first, ...second.body].map((r: any) => r.id), all.map((r: any) => r.id));
});

test('a mobile replay (replay_event + replay_video) is accepted and counted, not refused', async () => {
  const id = newId();
  const event = JSON.stringify({ type: 'replay_event', replay_id: id, segment_id: 0, timestamp: now / 1000 });
  const video = Buffer.from('{"segment_id":0}\n\u0000video');
  const body = Buffer.concat([
    Buffer.from(`{"event_id":"${id}"}\n{"type":"replay_event"}\n${event}\n{"type":"replay_video","length":${video.length}}\n`),
    video,
    Buffer.from('\n'),
  ]);
  assert.equal((await post(body)).status, 200);
  assert.equal((await server.api(`/api/0/replays/${id}/`)).status, 404);
});
