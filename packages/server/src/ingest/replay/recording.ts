/**
 * The `replay_recording` item of the Sentry replay protocol: one JSON header line
 * (`{"segment_id":N}`), then the segment's rrweb events as a JSON array, zlib-compressed by
 * default (the SDK's compression worker) or plain JSON when the worker could not start.
 * Relay accepts both the same way; so do we.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { HttpError } from '../../errors.js';

export interface ReplayRecordingLimits {
  /** Bytes of the item as sent (compressed). */
  maxSegmentBytes: number;
  /** Bytes of the rrweb JSON after decompression. */
  maxSegmentUncompressedBytes: number;
}

export interface ParsedRecording {
  segmentId: number;
  /** zlib-compressed JSON array: the client's own bytes when it compressed them. */
  compressed: Uint8Array;
  uncompressedBytes: number;
  eventCount: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
}

const decoder = new TextDecoder();

/**
 * rrweb stamps events in epoch ms, but the Sentry SDK's own custom events (performanceSpan) carry
 * seconds; a value this small can only be seconds.
 */
export function eventMs(timestamp: number): number {
  return timestamp < 1e11 ? Math.round(timestamp * 1000) : timestamp;
}

function isZlib(bytes: Uint8Array): boolean {
  // CMF 0x78 (deflate, 32 KiB window) and a header checksum divisible by 31 (RFC 1950).
  return bytes.length >= 2 && bytes[0] === 0x78 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid_replay_recording', message);
}

export function parseRecording(payload: Uint8Array, limits: ReplayRecordingLimits): ParsedRecording {
  if (payload.byteLength > limits.maxSegmentBytes) {
    throw new HttpError(413, 'replay_segment_too_large', `a replay segment is larger than ${limits.maxSegmentBytes} bytes`);
  }
  const newline = payload.indexOf(10);
  if (newline === -1) throw invalid('replay_recording has no header line ({"segment_id":N} then a newline)');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(payload.subarray(0, newline)));
  } catch {
    throw invalid('the replay_recording header line is not JSON');
  }
  const segmentId = (header as { segment_id?: unknown } | null)?.segment_id;
  if (typeof segmentId !== 'number' || !Number.isInteger(segmentId) || segmentId < 0 || segmentId > 1_000_000) {
    throw invalid('the replay_recording header needs segment_id, an integer from 0');
  }
  const body = payload.subarray(newline + 1);
  const compressedByClient = isZlib(body);
  let json: Uint8Array;
  if (compressedByClient) {
    try {
      json = inflateSync(body, { maxOutputLength: limits.maxSegmentUncompressedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new HttpError(413, 'replay_segment_too_large', `a replay segment inflates to more than ${limits.maxSegmentUncompressedBytes} bytes`);
      }
      throw invalid('the replay recording is neither zlib data nor JSON');
    }
  } else {
    json = body;
  }
  let events: unknown;
  try {
    events = JSON.parse(decoder.decode(json));
  } catch {
    throw invalid('the replay recording is not a JSON array of rrweb events');
  }
  if (!Array.isArray(events)) throw invalid('the replay recording is not a JSON array of rrweb events');
  let first: number | null = null;
  let last: number | null = null;
  for (const [index, event] of events.entries()) {
    const e = event as { type?: unknown; timestamp?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.type !== 'number' || typeof e.timestamp !== 'number' || !Number.isFinite(e.timestamp)) {
      throw invalid(`recording event ${index} needs a numeric type and timestamp`);
    }
    const ms = eventMs(e.timestamp);
    first = first === null ? ms : Math.min(first, ms);
    last = last === null ? ms : Math.max(last, ms);
  }
  return {
    segmentId,
    compressed: compressedByClient ? body : deflateSync(json),
    uncompressedBytes: json.byteLength,
    eventCount: events.length,
    firstEventMs: first,
    lastEventMs: last,
  };
}
