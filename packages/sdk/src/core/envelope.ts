/**
 * Envelopes built with the shared protocol code (bundled). Types are repeated here structurally so
 * the published type declarations do not depend on @proliferate/protocol.
 */
import { jsonItem, serializeEnvelope } from '@proliferate/protocol';
import type { Event } from './types.js';

export interface EnvelopeItem {
  headers: { type: string; [key: string]: unknown };
  payload: Uint8Array;
}
export interface Envelope {
  headers: Record<string, unknown>;
  items: EnvelopeItem[];
}

export const SDK_NAME = 'proliferate.javascript';
export const SDK_VERSION = '0.1.0';

export function envelopeHeaders(dsn: string | undefined, eventId?: string, trace?: Record<string, unknown>): Record<string, unknown> {
  const headers: Record<string, unknown> = {
    sent_at: new Date().toISOString(),
    sdk: { name: SDK_NAME, version: SDK_VERSION },
  };
  if (eventId) headers.event_id = eventId;
  if (dsn) headers.dsn = dsn;
  if (trace) headers.trace = trace;
  return headers;
}

export function eventEnvelope(event: Event, dsn: string | undefined): Envelope {
  const type = event.type === 'transaction' ? 'transaction' : 'event';
  const traceContext = event.contexts?.trace as { trace_id?: string } | undefined;
  const trace = traceContext?.trace_id ? { trace_id: traceContext.trace_id, environment: event.environment, release: event.release } : undefined;
  return { headers: envelopeHeaders(dsn, event.event_id, trace), items: [jsonItem(type, event) as EnvelopeItem] };
}

export interface LogRecord {
  timestamp: number;
  level: string;
  body: string;
  trace_id: string;
  span_id?: string;
  severity_number?: number;
  attributes: Record<string, { value: unknown; type: string }>;
}

/** Logs go out as one `log` item holding many records (the Sentry logs format). */
export function logEnvelope(records: LogRecord[], dsn: string | undefined, traceId?: string): Envelope {
  const item = jsonItem(
    'log',
    { items: records },
    { item_count: records.length, content_type: 'application/vnd.sentry.items.log+json' },
  ) as EnvelopeItem;
  return { headers: envelopeHeaders(dsn, undefined, traceId ? { trace_id: traceId } : undefined), items: [item] };
}

export function serialize(envelope: Envelope): Uint8Array {
  return serializeEnvelope(envelope);
}
