/**
 * OTLP traces and logs (in the OTLP/JSON shape; protobuf requests are decoded to it first) to
 * spans and log records. Span kind becomes span.type unless an attribute names the type
 * (`sentry.op`, `mlflow.spanType`, `span.type`); status codes 0 / 1 / 2 are unset / ok / error.
 */
import { isObject } from '../../digest/values.js';
import type { RootKind, SpanInput, SpanStatus, TelemetryBatch } from '../../store/trace-types.js';
import { logLevel, pushLog, TelemetryError } from '../telemetry/sentry-items.js';
import { clip, clipBody, MAX_SPANS_PER_REQUEST, severityNumber, spanData, TimeChecker } from '../telemetry/span-values.js';

export type IdEncoding = 'hex' | 'base64';
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const TYPE_ATTRIBUTES = ['sentry.op', 'mlflow.spanType', 'span.type', 'openinference.span.kind'];

/** An id as lowercase hex of the expected length, or null (all-zero ids are absent ids). */
export function otlpId(value: unknown, encoding: IdEncoding, bytes: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  // OTLP/JSON ids are hex; protobuf bytes arrive base64 from the decoder (and some old JSON
  // exporters sent base64 too).
  const asHex = value.toLowerCase();
  const hex = encoding === 'hex' && asHex.length === bytes * 2 && /^[0-9a-f]+$/.test(asHex) ? asHex : Buffer.from(value, 'base64').toString('hex');
  if (hex.length !== bytes * 2 || /^0+$/.test(hex)) return null;
  return hex;
}

/** Unix nanoseconds (decimal string or number) to epoch ms with microseconds kept. */
export function nanosToMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value / 1e6;
  if (typeof value === 'string' && /^\d+$/.test(value) && value !== '0') return Number(BigInt(value) / 1000n) / 1000;
  return undefined;
}

/** An AnyValue to a plain value: scalars, arrays, objects; 64-bit ints as numbers when safe. */
export function anyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth > 8) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) {
    const values = isObject(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.slice(0, 100).map((v) => anyValue(v, depth + 1));
  }
  if ('kvlistValue' in value) return keyValues(isObject(value.kvlistValue) ? value.kvlistValue.values : [], depth + 1);
  if ('bytesValue' in value) return value.bytesValue;
  return null;
}

export function keyValues(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list.slice(0, 500)) {
    if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

const enumValue = (value: unknown, names: Record<string, number>) => (typeof value === 'string' ? (names[value] ?? 0) : Number(value ?? 0) || 0);

function spanStatus(status: unknown): SpanStatus {
  const code = isObject(status) ? enumValue(status.code, STATUS_NAMES) : 0;
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

export function addOtlpTraces(batch: TelemetryBatch, request: Record<string, unknown>, ids: IdEncoding, receivedMs: number): void {
  const times = new TimeChecker(receivedMs);
  const resourceSpans = Array.isArray(request.resourceSpans) ? request.resourceSpans : [];
  for (const rs of resourceSpans) {
    if (!isObject(rs)) continue;
    const resource = keyValues(isObject(rs.resource) ? rs.resource.attributes : []);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined;
    for (const ss of Array.isArray(rs.scopeSpans) ? rs.scopeSpans : []) {
      if (!isObject(ss)) continue;
      for (const span of Array.isArray(ss.spans) ? ss.spans : []) {
        if (!isObject(span)) continue;
        const traceId = otlpId(span.traceId, ids, 16);
        const spanId = otlpId(span.spanId, ids, 8);
        if (!traceId || !spanId) continue;
        const parent = otlpId(span.parentSpanId, ids, 8);
        const kind = enumValue(span.kind, KIND_NAMES);
        const attributes = keyValues(span.attributes);
        const typeAttribute = TYPE_ATTRIBUTES.map((k) => attributes[k]).find((v) => typeof v === 'string' && v !== '') as string | undefined;
        const start = times.check('startTimeUnixNano', nanosToMs(span.startTimeUnixNano)) ?? receivedMs;
        const end = times.check('endTimeUnixNano', nanosToMs(span.endTimeUnixNano)) ?? start;
        const data: Record<string, unknown> = { ...attributes };
        if (service && data['service.name'] === undefined) data['service.name'] = service;
        if (isObject(span.status) && typeof span.status.message === 'string' && span.status.message) data['otel.status_message'] = span.status.message;
        if (Array.isArray(span.events) && span.events.length) {
          data.events = span.events.slice(0, 50).filter(isObject).map((e) => ({
            name: e.name,
            timestampMs: times.check('events.timeUnixNano', nanosToMs(e.timeUnixNano)) ?? start,
            attributes: keyValues(e.attributes),
          }));
        }
        const rootKind: RootKind = parent === null ? 2 : kind === 2 || kind === 5 ? 1 : 0;
        if (batch.spans.length >= MAX_SPANS_PER_REQUEST) throw new TelemetryError(`more than ${MAX_SPANS_PER_REQUEST} spans in one request`);
        const input: SpanInput = {
          traceId,
          spanId,
          parentSpanId: parent,
          name: clip(typeof span.name === 'string' ? span.name : ''),
          op: clip(typeAttribute ?? KINDS[kind] ?? 'unspecified', 128),
          status: spanStatus(span.status),
          startMs: start,
          endMs: Math.max(start, end),
          rootKind,
          data: times.note(spanData(data)),
        };
        batch.spans.push(input);
      }
    }
  }
}

export function addOtlpLogs(batch: TelemetryBatch, request: Record<string, unknown>, ids: IdEncoding, receivedMs: number): void {
  const times = new TimeChecker(receivedMs);
  const resourceLogs = Array.isArray(request.resourceLogs) ? request.resourceLogs : [];
  for (const rl of resourceLogs) {
    if (!isObject(rl)) continue;
    const resource = keyValues(isObject(rl.resource) ? rl.resource.attributes : []);
    for (const sl of Array.isArray(rl.scopeLogs) ? rl.scopeLogs : []) {
      if (!isObject(sl)) continue;
      for (const record of Array.isArray(sl.logRecords) ? sl.logRecords : []) {
        if (!isObject(record)) continue;
        const severity = severityNumber(record.severityNumber);
        const body = anyValue(record.body);
        const attributes = keyValues(record.attributes);
        if (typeof resource['service.name'] === 'string') attributes['service.name'] ??= resource['service.name'];
        pushLog(batch, {
          timestampMs:
            times.check('timeUnixNano', nanosToMs(record.timeUnixNano)) ?? times.check('observedTimeUnixNano', nanosToMs(record.observedTimeUnixNano)) ?? receivedMs,
          level: logLevel(record.severityText, severity),
          severity,
          body: clipBody(typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body)),
          traceId: otlpId(record.traceId, ids, 16),
          spanId: otlpId(record.spanId, ids, 8),
          attributes: times.note(spanData(attributes)),
        });
      }
    }
  }
}
