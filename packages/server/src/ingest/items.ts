import { type Envelope, type EnvelopeItem } from '@proliferate/protocol';
import type { IngestLimits } from '../config.js';
import { digestEvent } from '../digest/digest.js';
import { hexId, isObject } from '../digest/values.js';
import { HttpError } from '../errors.js';
import type { DigestedEvent, RawItem } from '../store/types.js';
import type { TelemetryBatch } from '../store/trace-types.js';
import type { ReplaySegmentInput } from '../store/replay-types.js';
import { REPLAY_TYPES, replaySegments } from './replay/replay-items.js';
import { addTelemetryItem, TELEMETRY_TYPES } from './telemetry/envelope-items.js';
import type { ActivePolicy } from './policy/policy-cache.js';
import type { FingerprintRule } from '../digest/fingerprint-rules/parse.js';

/**
 * Item types kept as sent for later features; transactions, spans and logs go to the trace and log
 * tables instead (TELEMETRY_TYPES), and every other type is only counted.
 */
const KEPT_TYPES = new Set(['otel_log', 'feedback', 'user_report', 'check_in', 'profile']);
const EVENT_TYPES = new Set(['event', 'error', 'message']);
const decoder = new TextDecoder();

export interface IngestBatch {
  events: DigestedEvent[];
  raw: RawItem[];
  /** Spans, trace tags and logs from transaction / span / log items; null when there are none. */
  telemetry?: TelemetryBatch | null;
  /** Replay segments (replay_event + replay_recording pairs); absent when there are none. */
  replays?: ReplaySegmentInput[];
  /** The id answered to the client: the first event's, else the envelope's. */
  responseId: string | null;
  /** Events that need async work (symbolication) before digest; finished by prepareBatch. */
  deferred?: DeferredEvent[];
}

export interface DeferredEvent {
  raw: Record<string, unknown>;
  envelopeHeaders: Record<string, unknown>;
}

export interface IngestContext {
  projectId: number;
  receivedMs: number;
  clientIp?: string;
  limits: IngestLimits;
  /** Says which events need symbolication before they are digested (digest/symbolicate). */
  needsProcessing?: (projectId: number, raw: Record<string, unknown>) => boolean;
  /** The project's filters and scrubbing rules (ingest/policy); none in tests of the bare pipeline. */
  policy?: ActivePolicy;
  /** The project's fingerprint rules, parsed (digest/fingerprint-rules/rule-cache.ts); none when absent. */
  fingerprintRules?: readonly FingerprintRule[];
  /** Told of each event an inbound filter dropped. */
  onFiltered?: (reason: string) => void;
  onScrubbed?: (rules: string[]) => void;
}

export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new HttpError(400, 'invalid_event', `${what} must be a JSON object`);
  return value;
}

/** Parses and digests one event's JSON (`what` names it in errors); the bytes are kept as received. */
export function digestOne(json: Uint8Array, what: string, ctx: IngestContext, envelopeHeaders: Record<string, unknown> = {}) {
  return digestEvent(parseJsonObject(json, what), ctx.projectId, normalizeContext(ctx, envelopeHeaders), json, ctx.fingerprintRules);
}

export const normalizeContext = (ctx: IngestContext, envelopeHeaders: Record<string, unknown>) => ({
  receivedMs: ctx.receivedMs,
  clientIp: ctx.clientIp,
  envelopeEventId: envelopeHeaders.event_id,
  envelopeTrace: envelopeHeaders.trace,
});

/**
 * Parses an event; digests it now, or defers it to prepareBatch when it needs symbolication (its
 * payload is then the symbolicated event, re-serialized).
 */
export function acceptEvent(batch: IngestBatch, json: Uint8Array, what: string, ctx: IngestContext, envelopeHeaders: Record<string, unknown> = {}): void {
  const raw = parseJsonObject(json, what);
  const policy = ctx.policy;
  if (policy) {
    const filtered = policy.filters?.matches(raw);
    if (filtered) {
      // Answered like an accepted event (the SDK has nothing to retry), counted as filtered.
      batch.responseId ??= hexId(raw.event_id) ?? hexId(envelopeHeaders.event_id) ?? null;
      ctx.onFiltered?.(filtered);
      return;
    }
    json = scrubEvent(raw, json, policy, ctx);
  }
  if (ctx.needsProcessing?.(ctx.projectId, raw)) {
    (batch.deferred ??= []).push({ raw, envelopeHeaders });
    batch.responseId ??= hexId(raw.event_id) ?? hexId(envelopeHeaders.event_id) ?? null;
    return;
  }
  const event = digestEvent(raw, ctx.projectId, normalizeContext(ctx, envelopeHeaders), json, ctx.fingerprintRules);
  batch.events.push(event);
  batch.responseId ??= event.eventId;
}

const encoder = new TextEncoder();

/**
 * Applies the project's scrubbing rules to the parsed event; when anything went, the event is
 * serialized again (what is stored is the scrubbed event) with a note per removal in `errors`.
 * Notes a client sent itself as `scrubbed` are dropped first: only the server writes them.
 */
function scrubEvent(raw: Record<string, unknown>, json: Uint8Array, policy: ActivePolicy, ctx: IngestContext): Uint8Array {
  const forged = Array.isArray(raw.errors) && raw.errors.some((e) => isObject(e) && e.type === 'scrubbed');
  if (forged) raw.errors = (raw.errors as unknown[]).filter((e) => !(isObject(e) && e.type === 'scrubbed'));
  const notes = policy.scrubber.scrub(raw);
  if (notes.length === 0 && !forged) return json;
  if (notes.length) {
    raw.errors = [...(Array.isArray(raw.errors) ? raw.errors : []), ...notes];
    ctx.onScrubbed?.(notes.map((n) => n.rule));
  }
  return encoder.encode(JSON.stringify(raw));
}

function rawItem(item: EnvelopeItem, type: string, envelope: Envelope, ctx: IngestContext): RawItem {
  const keep = KEPT_TYPES.has(type);
  const traceId = keep ? (hexId(isObject(envelope.headers.trace) ? envelope.headers.trace.trace_id : undefined) ?? null) : null;
  const payload = keep ? decoder.decode(item.payload) : null;
  return {
    projectId: ctx.projectId,
    type,
    received: ctx.receivedMs,
    eventId: hexId(envelope.headers.event_id) ?? null,
    traceId,
    payload,
  };
}

/** Splits an envelope into events to digest and other items to keep or count. */
export function ingestEnvelope(envelope: Envelope, ctx: IngestContext): IngestBatch {
  const batch: IngestBatch = { events: [], raw: [], responseId: hexId(envelope.headers.event_id) ?? null };
  envelope.items.forEach((item, index) => {
    const type = String(item.headers.type);
    if (EVENT_TYPES.has(type)) {
      if (item.payload.byteLength > ctx.limits.maxEventBytes) {
        throw new HttpError(413, 'event_too_large', `item ${index} (event) is larger than ${ctx.limits.maxEventBytes} bytes`);
      }
      acceptEvent(batch, item.payload, `item ${index} (event)`, ctx, envelope.headers);
      return;
    }
    if (TELEMETRY_TYPES.has(type)) {
      batch.telemetry = addTelemetryItem(batch.telemetry ?? null, item, type, envelope, ctx);
      // Counted like any item; the content lives in the trace and log tables, not in raw_items.
      batch.raw.push({ projectId: ctx.projectId, type, received: ctx.receivedMs, eventId: null, traceId: null, payload: null });
      return;
    }
    if (REPLAY_TYPES.has(type)) {
      // Counted like any item; the content goes to the replay tables (after the loop, in pairs).
      batch.raw.push({ projectId: ctx.projectId, type, received: ctx.receivedMs, eventId: null, traceId: null, payload: null });
      return;
    }
    batch.raw.push(rawItem(item, type, envelope, ctx));
  });
  // Mobile SDKs send replay_event + replay_video: counted, not stored (no rrweb recording to play).
  const types = new Set(envelope.items.map((item) => item.headers.type));
  if ((types.has('replay_event') || types.has('replay_recording')) && !types.has('replay_video')) {
    batch.replays = replaySegments(envelope.items, ctx.projectId, ctx.receivedMs, ctx.limits);
  }
  return batch;
}
