import type { AppliedFingerprintRule, DecodedPayload, EventSummary, StoredEventRecord } from '../store/types.js';
import { normalizeEvent } from './normalize.js';
import { isObject } from './values.js';

/** A stored event as the API reads it: its row, and its payload normalized. */
export interface StoredEvent extends EventSummary {
  payload: Record<string, unknown>;
  /** The project's fingerprint rule that grouped it at ingest, if one did. */
  fingerprintRule?: AppliedFingerprintRule;
}

/** The parts of an event row that normalizing its payload again depends on. */
export interface StoredEventRow {
  eventId: string;
  received: number;
  traceId: string | null;
}

/**
 * A stored event's payload as the API shows it: the normalized event without what the row already
 * holds (id, times). Events stored as received (payload format 3) are normalized here, with the
 * context ingest had: the same received time, the id and trace id it settled on, the sender's
 * address if it used it. Normalization is pure, so this gives what ingest computed. Older events
 * were stored normalized and are returned as they are.
 */
export function storedEventPayload(decoded: DecodedPayload, row: StoredEventRow): Record<string, unknown> {
  const parsed = JSON.parse(decoded.json) as unknown;
  if (!decoded.context) return parsed as Record<string, unknown>;
  if (!isObject(parsed)) throw new Error(`stored event ${row.eventId} is not a JSON object`);
  const { eventId: _id, timestamp: _timestamp, received: _received, ...payload } = normalizeEvent(parsed, {
    receivedMs: row.received,
    clientIp: decoded.context.clientIp,
    envelopeEventId: decoded.context.generatedId ? undefined : row.eventId,
    envelopeTrace: row.traceId ? { trace_id: row.traceId } : undefined,
  });
  return payload as unknown as Record<string, unknown>;
}

/**
 * What any backend's `Store.getEvent` returned, made into the event the API reads: done here, above
 * the store, so every backend gives the same view of the same stored bytes.
 */
export function readStoredEvent(record: StoredEventRecord): StoredEvent {
  const { traceId, receivedMs, payload, ...summary } = record;
  const stored: StoredEvent = { ...summary, payload: storedEventPayload(payload, { eventId: record.eventId, received: receivedMs, traceId }) };
  if (payload.context?.fingerprintRule) stored.fingerprintRule = payload.context.fingerprintRule;
  return stored;
}
