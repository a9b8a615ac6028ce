import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { ReplaySegmentInput } from '../replay-types.js';
import { SqliteStore } from './store.js';

function segment(projectId: number, segmentId: number, bytes: number): ReplaySegmentInput {
  const recording = deflateSync(Buffer.from(JSON.stringify([{ type: 3, timestamp: 1_000 + segmentId, data: randomBytes(bytes).toString('hex') }])));
  return {
    projectId, replayId: 'a'.repeat(32), segmentId, receivedMs: 0, startedMs: 1_000, timestampMs: 1_000 + segmentId, recording, recordingBytes: bytes,
    eventCount: 1, firstEventMs: 1_000 + segmentId, lastEventMs: 1_000 + segmentId, errorIds: [], traceIds: [], urls: [`https://a.test/${segmentId}`],
    user: segmentId === 0 ? { id: 'u1' } : null, tags: { step: String(segmentId) }, replayType: 'session', environment: null, release: null, platform: null,
    sessionId: null, windowId: null,
  };
}

test('a replay past its segment or byte cap refuses further segments; the stored ones stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-store-'));
  const store = new SqliteStore({ dataDir: dir, withWriter: false });
  try {
    const project = await store.createProject({ name: 'replays' });
    const limits = { maxReplayBytes: 1_000_000, maxSegments: 2 };
    assert.deepEqual(await store.writeReplaySegments([segment(project.id, 0, 10), segment(project.id, 1, 10)], limits), ['stored', 'stored']);
    assert.deepEqual(await store.writeReplaySegments([segment(project.id, 1, 10), segment(project.id, 2, 10)], limits), ['duplicate', 'replay_too_large']);
    const small = { maxReplayBytes: 400, maxSegments: 100 };
    const other = await store.createProject({ name: 'other' });
    assert.deepEqual(await store.writeReplaySegments([segment(other.id, 0, 10), segment(other.id, 1, 100_000)], small), ['stored', 'replay_too_large']);
    const replay = await store.getReplay('a'.repeat(32), project.id);
    assert.equal(replay?.segments, 2);
    assert.deepEqual(replay?.urls, ['https://a.test/0', 'https://a.test/1']);
    assert.deepEqual(replay?.user, { id: 'u1' });
    assert.deepEqual(replay?.tags, { step: '1' });
    assert.equal((await store.replaySegments(project.id, 'a'.repeat(32))).length, 2);
    assert.equal((await store.getReplay('a'.repeat(32), 999))?.id, undefined);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
