/**
 * One replay segment as the Sentry protocol has it, so there is one ingest path: a `replay_event`
 * item (metadata) and a `replay_recording` item (`{"segment_id":N}`, a newline, then the rrweb
 * events as a JSON array, zlib-compressed with the browser's own CompressionStream when it has one).
 */
import type { Client } from '../core/client.js';
import { getScopes } from '../core/scopes.js';
import type { Envelope } from '../core/envelope.js';
import { SDK_NAME, SDK_VERSION } from '../core/envelope.js';

const encoder = new TextEncoder();

async function deflate(bytes: Uint8Array): Promise<Uint8Array | null> {
  const Stream = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (!Stream) return null;
  try {
    // 'deflate' is zlib-wrapped (RFC 1950), what Sentry's compression worker sends too.
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new Stream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}

export async function recordingPayload(segmentId: number, events: unknown[]): Promise<Uint8Array> {
  const header = encoder.encode(`${JSON.stringify({ segment_id: segmentId })}\n`);
  const json = encoder.encode(JSON.stringify(events));
  const body = (await deflate(json)) ?? json;
  const out = new Uint8Array(header.byteLength + body.byteLength);
  out.set(header);
  out.set(body, header.byteLength);
  return out;
}

export interface SegmentMeta {
  replayId: string;
  segmentId: number;
  startedMs: number;
  replayType: 'session' | 'buffer';
  errorIds: string[];
  urls: string[];
}

/** The replay_event carries what an error event would (user, tags, release) from the scopes. */
export function segmentEnvelope(client: Client, meta: SegmentMeta, recording: Uint8Array): Envelope {
  const base = client.prepareEvent({}, {}, getScopes());
  const session = (base.contexts?.session ?? {}) as { id?: string; window_id?: string };
  const replayEvent = {
    type: 'replay_event',
    replay_id: meta.replayId,
    segment_id: meta.segmentId,
    timestamp: Date.now() / 1000,
    replay_start_timestamp: meta.startedMs / 1000,
    error_ids: meta.errorIds,
    trace_ids: [],
    urls: meta.urls,
    replay_type: meta.replayType,
    platform: 'javascript',
    environment: base.environment,
    release: base.release,
    user: base.user,
    tags: base.tags,
    contexts: { proliferate: { session_id: session.id, window_id: session.window_id } },
    sdk: { name: SDK_NAME, version: SDK_VERSION },
  };
  return {
    headers: { event_id: meta.replayId, sent_at: new Date().toISOString(), sdk: { name: SDK_NAME, version: SDK_VERSION }, dsn: client.target?.dsn },
    items: [
      { headers: { type: 'replay_event' }, payload: encoder.encode(JSON.stringify(replayEvent)) },
      { headers: { type: 'replay_recording' }, payload: recording },
    ],
  };
}
