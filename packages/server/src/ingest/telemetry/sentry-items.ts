/**
 * Sentry items that describe traces and logs, turned into spans, trace annotations and log records:
 * - `transaction`: the root (or segment) span in `contexts.trace` plus its child `spans`; its `tags`
 *   are the trace's tags, `contexts.metadata` or `contexts.trace.metadata` its metadata (how our SDKs
 *   send updateCurrentTrace / update_current_trace and how @sentry/node in static mode sends tags);
 * - `span` (span v2, the default of @sentry/node 11): `{version: 2, items: [span...]}` with
 *   `name`, `start_timestamp`, `end_timestamp`, `is_segment`, `status` and typed `attributes`;
 * - `log`: `{items: [{timestamp, trace_id, span_id, level, severity_number, body, attributes}]}`.
 */
import { hexId, isObject } from '../../digest/values.js';
import type { LogInput, RootKind, SpanInput, TelemetryBatch } from '../../store/trace-types.js';
import {
  clip, clipBody, MAX_LOGS_PER_REQUEST, MAX_SPANS_PER_REQUEST, preciseMs, sentrySpanStatus, severityNumber, TimeChecker, spanData, traceMetadata, traceTags, typedAttributes,
} from './span-values.js';

export class TelemetryError extends Error {}

export function emptyTelemetry(projectId: number): TelemetryBatch {
  return { projectId, spans: [], annotations: [], logs: [] };
}

function pushSpan(batch: TelemetryBatch, span: SpanInput): void {
  if (batch.spans.length >= MAX_SPANS_PER_REQUEST) throw new TelemetryError(`more than ${MAX_SPANS_PER_REQUEST} spans in one request`);
  batch.spans.push(span);
}

/** A Sentry transaction event: its own span and its children. */
export function addTransaction(batch: TelemetryBatch, raw: Record<string, unknown>, receivedMs: number): void {
  const contexts = isObject(raw.contexts) ? raw.contexts : {};
  const trace = isObject(contexts.trace) ? contexts.trace : {};
  const traceId = hexId(trace.trace_id);
  const spanId = hexId(trace.span_id, 16);
  if (!traceId || !spanId) throw new TelemetryError('a transaction needs contexts.trace.trace_id and span_id');
  const times = new TimeChecker(receivedMs);
  const end = times.check('timestamp', preciseMs(raw.timestamp)) ?? receivedMs;
  const start = times.check('start_timestamp', preciseMs(raw.start_timestamp)) ?? end;
  const parent = hexId(trace.parent_span_id, 16) ?? null;
  const data = times.note(spanData(trace.data));
  pushSpan(batch, {
    traceId,
    spanId,
    parentSpanId: parent,
    name: clip(typeof raw.transaction === 'string' ? raw.transaction : typeof trace.op === 'string' ? trace.op : ''),
    op: typeof trace.op === 'string' ? clip(trace.op, 128) : null,
    status: sentrySpanStatus(trace.status),
    startMs: start,
    endMs: Math.max(start, end),
    rootKind: parent ? 1 : 2,
    data,
  });
  if (Array.isArray(raw.spans)) {
    for (const child of raw.spans) {
      if (!isObject(child)) continue;
      const childId = hexId(child.span_id, 16);
      if (!childId) continue;
      const childEnd = times.check('timestamp', preciseMs(child.timestamp)) ?? end;
      const childStart = times.check('start_timestamp', preciseMs(child.start_timestamp)) ?? Math.min(childEnd, start);
      const childData = times.note(spanData(child.data));
      if (isObject(child.tags) && Object.keys(child.tags).length) childData['tags'] = spanData(child.tags);
      pushSpan(batch, {
        traceId: hexId(child.trace_id) ?? traceId,
        spanId: childId,
        parentSpanId: hexId(child.parent_span_id, 16) ?? spanId,
        name: clip(typeof child.description === 'string' ? child.description : typeof child.name === 'string' ? child.name : typeof child.op === 'string' ? child.op : ''),
        op: typeof child.op === 'string' ? clip(child.op, 128) : null,
        status: sentrySpanStatus(child.status),
        startMs: childStart,
        endMs: Math.max(childStart, childEnd),
        rootKind: 0,
        data: childData,
      });
    }
  }
  const metadata = { ...traceMetadata(trace.metadata), ...traceMetadata(contexts.metadata) };
  // Sentry SDKs send the environment and release at the top of the transaction, not in its tags:
  // as trace tags they let error rates per variant be counted per environment (seed 000 compare).
  const tags = { ...traceTags({ environment: raw.environment, release: raw.release }), ...traceTags(raw.tags) };
  if (Object.keys(tags).length || Object.keys(metadata).length) batch.annotations.push({ traceId, tags, metadata });
}

/** A span v2 container item. */
export function addSpanItems(batch: TelemetryBatch, raw: Record<string, unknown>, receivedMs: number): void {
  const items = Array.isArray(raw.items) ? raw.items : isObject(raw) && raw.span_id ? [raw] : [];
  const times = new TimeChecker(receivedMs);
  for (const item of items) {
    if (!isObject(item)) continue;
    const traceId = hexId(item.trace_id);
    const spanId = hexId(item.span_id, 16);
    if (!traceId || !spanId) continue;
    const start = times.check('start_timestamp', preciseMs(item.start_timestamp)) ?? receivedMs;
    const end = times.check('end_timestamp', preciseMs(item.end_timestamp ?? item.timestamp)) ?? start;
    const parent = hexId(item.parent_span_id, 16) ?? null;
    const data = times.note(typedAttributes(item.attributes));
    const op = typeof data['sentry.op'] === 'string' ? (data['sentry.op'] as string) : typeof item.op === 'string' ? item.op : null;
    const rootKind: RootKind = parent === null ? 2 : item.is_segment === true ? 1 : 0;
    pushSpan(batch, {
      traceId,
      spanId,
      parentSpanId: parent,
      name: clip(typeof item.name === 'string' ? item.name : typeof item.description === 'string' ? item.description : op ?? ''),
      op: op ? clip(op, 128) : null,
      status: sentrySpanStatus(item.status),
      startMs: start,
      endMs: Math.max(start, end),
      rootKind,
      data,
    });
    // A segment carries its SDK's environment and release as attributes (span streaming).
    if (rootKind !== 0) {
      const tags = traceTags({ environment: data['sentry.environment'], release: data['sentry.release'] });
      if (Object.keys(tags).length) batch.annotations.push({ traceId, tags, metadata: {} });
    }
  }
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Normalises a level name: `warning` -> `warn`, unknown names by severity number, else info. */
export function logLevel(level: unknown, severity: number | null): string {
  const text = typeof level === 'string' ? level.toLowerCase() : '';
  if (LEVELS.has(text)) return text;
  if (text === 'warning') return 'warn';
  if (text === 'critical') return 'fatal';
  if (severity !== null && severity > 0) return ['trace', 'debug', 'info', 'warn', 'error', 'fatal'][Math.min(5, Math.floor((severity - 1) / 4))]!;
  return 'info';
}

export function pushLog(batch: TelemetryBatch, log: LogInput): void {
  if (batch.logs.length >= MAX_LOGS_PER_REQUEST) throw new TelemetryError(`more than ${MAX_LOGS_PER_REQUEST} logs in one request`);
  batch.logs.push(log);
}

/** A `log` container item; records without a trace id take the envelope's. */
export function addLogItems(batch: TelemetryBatch, raw: Record<string, unknown>, receivedMs: number, envelopeTraceId: string | null): void {
  const items = Array.isArray(raw.items) ? raw.items : [];
  const times = new TimeChecker(receivedMs);
  for (const item of items) {
    if (!isObject(item)) continue;
    const severity = severityNumber(item.severity_number);
    const body = typeof item.body === 'string' ? item.body : item.body === undefined ? '' : JSON.stringify(item.body);
    pushLog(batch, {
      timestampMs: times.check('timestamp', preciseMs(item.timestamp)) ?? receivedMs,
      level: logLevel(item.level, severity),
      severity,
      body: clipBody(body),
      traceId: hexId(item.trace_id) ?? envelopeTraceId,
      spanId: hexId(item.span_id, 16) ?? null,
      attributes: times.note(typedAttributes(item.attributes)),
    });
  }
}
