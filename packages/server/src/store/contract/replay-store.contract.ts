/**
 * The ReplayStore contract, written against the Store interface only: every backend runs the same
 * cases (store/contract-releases.test.ts registers them for each one).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { digestEvent } from '../../digest/digest.js';
import type { ReplaySegmentInput } from '../replay-types.js';
import type { Store } from '../types.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

/** Segment `segmentId` of a replay: `bytes` random bytes of rrweb data, one URL per segment. */
export function replaySegment(projectId: number, replayId: string, segmentId: number, bytes: number, extra: Partial<ReplaySegmentInput> = {}): ReplaySegmentInput {
  const at = T0 + segmentId * 5_000;
  const recording = deflateSync(Buffer.from(JSON.stringify([{ type: 3, timestamp: at, data: randomBytes(bytes).toString('hex') }])));
  return {
    projectId, replayId, segmentId, receivedMs: at, startedMs: T0, timestampMs: at, recording, recordingBytes: bytes,
    eventCount: 1, firstEventMs: at, lastEventMs: at, errorIds: [], traceIds: [], urls: [`https://a.test/${segmentId}`],
    user: segmentId === 0 ? { id: 'u1' } : null, tags: { step: String(segmentId) }, replayType: 'session', environment: null, release: null, platform: null,
    sessionId: null, windowId: null, ...extra,
  };
}

export function replayStoreContract(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>): void {
  describe(`ReplayStore contract (${name})`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let projectId: number;
    let otherProjectId: number;
    const limits = { maxReplayBytes: 1_000_000, maxSegments: 100 };

    before(async () => {
      ({ store, close } = await open());
      projectId = (await store.createProject({ name: 'Replays' })).id;
      otherProjectId = (await store.createProject({ name: 'Other replays' })).id;
    });
    after(() => close());

    test('a replay past its segment or byte cap refuses further segments; the stored ones stay', async () => {
      const id = 'a'.repeat(32);
      const capped = { maxReplayBytes: 1_000_000, maxSegments: 2 };
      assert.deepEqual(await store.writeReplaySegments([replaySegment(projectId, id, 0, 10), replaySegment(projectId, id, 1, 10)], capped), ['stored', 'stored']);
      assert.deepEqual(await store.writeReplaySegments([replaySegment(projectId, id, 1, 10), replaySegment(projectId, id, 2, 10)], capped), ['duplicate', 'replay_too_large']);
      const small = { maxReplayBytes: 400, maxSegments: 100 };
      assert.deepEqual(await store.writeReplaySegments([replaySegment(otherProjectId, id, 0, 10), replaySegment(otherProjectId, id, 1, 100_000)], small), ['stored', 'replay_too_large']);
      assert.deepEqual(await store.writeReplaySegments([replaySegment(otherProjectId, 'b'.repeat(32), 0, 100_000)], small), ['replay_too_large'], 'a first segment over the cap');
      assert.equal(await store.getReplay('b'.repeat(32), otherProjectId), undefined);
      const replay = await store.getReplay(id, projectId);
      assert.equal(replay?.segments, 2);
      assert.deepEqual(replay?.urls, ['https://a.test/0', 'https://a.test/1']);
      assert.deepEqual(replay?.user, { id: 'u1' });
      assert.deepEqual(replay?.tags, { step: '1' });
      assert.equal((await store.replaySegments(projectId, id)).length, 2);
      assert.equal((await store.getReplay(id, otherProjectId))?.segments, 1, 'the same replay id in another project is another replay');
      assert.equal(await store.getReplay(id, 999_999), undefined);
    });

    test('segments fold into one replay: span, sizes, metadata, errors named by segments or tagged on events', async () => {
      const id = 'c'.repeat(32);
      const errorA = '1'.repeat(32);
      const segments = [
        replaySegment(projectId, id, 1, 50, { errorIds: [errorA], traceIds: ['t2'], environment: 'production', release: 'web@1' }),
        replaySegment(projectId, id, 0, 40, { traceIds: ['t1'], sessionId: 'sess-1', windowId: 'win-1', user: { id: 'u7', email: 'Ada@Example.test' }, platform: 'javascript' }),
      ];
      assert.deepEqual(await store.writeReplaySegments(segments, limits), ['stored', 'stored']);
      // An error sent after the replay's last segment, carrying its id in the replayId tag.
      const tagged = digestEvent(
        { event_id: '2'.repeat(32), timestamp: (T0 + 20_000) / 1000, tags: { replayId: id }, exception: { values: [{ type: 'ReplayError', value: 'x' }] } },
        projectId,
        { receivedMs: T0 + 20_000 },
      );
      await store.write([tagged], []);
      const replay = (await store.getReplay(id, null))!;
      assert.equal(replay.projectId, projectId);
      assert.equal(replay.startedAt, new Date(T0).toISOString());
      assert.equal(replay.finishedAt, new Date(T0 + 5_000).toISOString());
      assert.equal(replay.duration, 5);
      assert.equal(replay.recordingBytes, 90);
      assert.equal(replay.storedBytes, segments[0]!.recording.byteLength + segments[1]!.recording.byteLength);
      assert.deepEqual([replay.environment, replay.release, replay.platform, replay.sessionId, replay.windowId], ['production', 'web@1', 'javascript', 'sess-1', 'win-1']);
      assert.deepEqual(replay.user, { id: 'u7', email: 'Ada@Example.test' });
      assert.deepEqual(replay.traceIds.sort(), ['t1', 't2']);
      assert.deepEqual(replay.errorIds.sort(), [errorA, '2'.repeat(32)]);
      const stored = await store.replaySegments(projectId, id);
      assert.deepEqual(stored.map((s) => s.segmentId), [0, 1], 'in segment order');
      assert.deepEqual(Buffer.from(inflateSync(stored[1]!.recording)), Buffer.from(inflateSync(segments[0]!.recording)), 'bytes as stored');
      assert.deepEqual(await store.replaySegments(otherProjectId, id), []);
    });

    test('listing: newest start first, filters by text, field, URL and tag, pages with a cursor', async () => {
      const project = (await store.createProject({ name: 'Replay list' })).id;
      const ids = Array.from({ length: 5 }, (_, i) => `${i + 1}`.repeat(32));
      for (const [i, id] of ids.entries()) {
        const s = replaySegment(project, id, 0, 10, {
          startedMs: T0 + i * 60_000, firstEventMs: T0 + i * 60_000, lastEventMs: T0 + i * 60_000 + 1_000,
          user: { email: `user${i}@example.test` }, environment: i % 2 ? 'staging' : 'production',
          urls: [`https://shop.test/${i % 2 ? 'cart' : 'home'}`], tags: { plan: i < 2 ? 'pro' : 'free' },
        });
        assert.deepEqual(await store.writeReplaySegments([s], limits), ['stored']);
      }
      const list = (fields: Array<{ key: string; value: string }>, text: string[] = []) =>
        store.listReplays({ projectId: project, filter: { text, fields }, limit: 50 }).then((p) => p.items.map((r) => r.id));
      assert.deepEqual(await list([]), [...ids].reverse());
      assert.deepEqual(await list([], ['USER3@']), [ids[3]], 'free text ignores case');
      assert.deepEqual(await list([], ['100%']), [], 'LIKE wildcards in the text are literal');
      assert.deepEqual(await list([], [ids[2]!.slice(0, 8) + '-' + ids[2]!.slice(8)]), [ids[2]], 'a dashed replay id');
      assert.deepEqual(await list([{ key: 'environment', value: 'staging' }]), [ids[3], ids[1]]);
      assert.deepEqual(await list([{ key: 'url', value: '/cart' }]), [ids[3], ids[1]]);
      assert.deepEqual(await list([{ key: 'plan', value: 'pro' }]), [ids[1], ids[0]]);
      assert.deepEqual(await list([{ key: 'plan', value: 'pro' }, { key: 'environment', value: 'production' }]), [ids[0]]);
      assert.deepEqual(await list([{ key: 'user.email', value: 'user4@example.test' }]), [ids[4]]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listReplays({ projectId: project, filter: { text: [], fields: [] }, limit: 2, cursor });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());
      await assert.rejects(store.listReplays({ projectId: project, filter: { text: [], fields: [] }, limit: 2, cursor: 'garbage' }), RangeError);
      assert.deepEqual((await store.listReplays({ projectId: otherProjectId, filter: { text: [], fields: [] }, limit: 50 })).items.map((r) => r.id), ['a'.repeat(32)]);
    });
  });
}
