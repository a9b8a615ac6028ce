/**
 * Pairs the `replay_event` and `replay_recording` items of an envelope into segments to store.
 * The Sentry browser SDK sends both in one envelope; a recording without its event (or the other
 * way round) cannot be placed in a replay and is refused with a 400.
 */
import { sanitizeTags } from '@proliferate/protocol';
import type { EnvelopeItem } from '@proliferate/protocol';
import { hexId, isObject, text, timestampMs } from '../../digest/values.js';
import { HttpError } from '../../errors.js';
import type { ReplaySegmentInput, ReplayUser } from '../../store/replay-types.js';
import { parseJsonObject } from '../items.js';
import { parseRecording, type ReplayRecordingLimits } from './recording.js';

export const REPLAY_TYPES = new Set(['replay_event', 'replay_recording', 'replay_video']);
const MAX_IDS = 100;
const MAX_URLS = 100;

function idList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const ids = new Set<string>();
  for (const item of value) {
    const id = hexId(typeof item === 'string' ? item.replace(/-/g, '') : item);
    if (id) ids.add(id);
    if (ids.size >= MAX_IDS) break;
  }
  return [...ids];
}

function urlList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const urls: string[] = [];
  for (const item of value) {
    const url = text(item, 2048);
    if (url && !urls.includes(url)) urls.push(url);
    if (urls.length >= MAX_URLS) break;
  }
  return urls;
}

function replayUser(value: unknown): ReplayUser | null {
  if (!isObject(value)) return null;
  const user: ReplayUser = {};
  const id = text(typeof value.id === 'number' ? String(value.id) : value.id, 200);
  if (id) user.id = id;
  const email = text(value.email, 200);
  if (email) user.email = email;
  const username = text(value.username, 200);
  if (username) user.username = username;
  const ip = text(value.ip_address, 64);
  if (ip && ip !== '{{auto}}') user.ipAddress = ip;
  return Object.keys(user).length ? user : null;
}

/** Our SDK puts the seed 001 ids in contexts.proliferate; tags are the fallback. */
function seedIds(event: Record<string, unknown>, tags: Record<string, string>): { sessionId: string | null; windowId: string | null } {
  const contexts = isObject(event.contexts) ? event.contexts : {};
  const own = isObject(contexts.proliferate) ? contexts.proliferate : {};
  return {
    sessionId: text(own.session_id, 64) ?? tags['session_id'] ?? null,
    windowId: text(own.window_id, 64) ?? tags['window_id'] ?? null,
  };
}

export function replaySegment(
  event: Record<string, unknown>,
  recording: Uint8Array,
  projectId: number,
  receivedMs: number,
  limits: ReplayRecordingLimits,
): ReplaySegmentInput {
  const replayId = hexId(typeof event.replay_id === 'string' ? event.replay_id.replace(/-/g, '') : event.replay_id);
  if (!replayId) throw new HttpError(400, 'invalid_replay_event', 'replay_event needs replay_id, 32 hex characters');
  const parsed = parseRecording(recording, limits);
  if (typeof event.segment_id === 'number' && event.segment_id !== parsed.segmentId) {
    throw new HttpError(400, 'invalid_replay_event', `replay_event segment_id ${event.segment_id} differs from the recording's ${parsed.segmentId}`);
  }
  const timestamp = timestampMs(event.timestamp) ?? parsed.lastEventMs ?? receivedMs;
  const started = timestampMs(event.replay_start_timestamp) ?? parsed.firstEventMs ?? timestamp;
  const { tags } = sanitizeTags(event.tags);
  return {
    projectId,
    replayId,
    segmentId: parsed.segmentId,
    receivedMs,
    startedMs: started,
    timestampMs: timestamp,
    recording: parsed.compressed,
    recordingBytes: parsed.uncompressedBytes,
    eventCount: parsed.eventCount,
    firstEventMs: parsed.firstEventMs,
    lastEventMs: parsed.lastEventMs,
    errorIds: idList(event.error_ids),
    traceIds: idList(event.trace_ids),
    urls: urlList(event.urls),
    user: replayUser(event.user),
    tags,
    replayType: text(event.replay_type, 32) ?? null,
    environment: text(event.environment, 64) ?? null,
    release: text(event.release, 200) ?? null,
    platform: text(event.platform, 64) ?? null,
    ...seedIds(event, tags),
  };
}

/** The envelope's replay segments: each replay_event with the replay_recording that follows it. */
export function replaySegments(items: EnvelopeItem[], projectId: number, receivedMs: number, limits: ReplayRecordingLimits): ReplaySegmentInput[] {
  const events = items.filter((i) => i.headers.type === 'replay_event');
  const recordings = items.filter((i) => i.headers.type === 'replay_recording');
  if (events.length !== recordings.length) {
    throw new HttpError(400, 'invalid_replay_envelope', 'every replay_event needs one replay_recording in the same envelope');
  }
  return events.map((item, index) =>
    replaySegment(parseJsonObject(item.payload, `replay_event ${index}`), recordings[index]!.payload, projectId, receivedMs, limits),
  );
}
