/** Shared coercions for spans and logs from every wire format (Sentry items, OTLP). */
import { checkTagValue, sanitizeTags } from '@proliferate/protocol';
import { capTags } from '../../digest/tag-cap.js';
import { describeMs, isPlausibleMs } from '../../digest/time-bounds.js';
import { boundedJson, isObject } from '../../digest/values.js';
import type { SpanStatus } from '../../store/trace-types.js';

export const MAX_SPANS_PER_REQUEST = 10_000;
export const MAX_LOGS_PER_REQUEST = 10_000;
const MAX_NAME = 512;
const MAX_BODY = 8192;

/** Seconds (float) or milliseconds, or an ISO string, to epoch ms with fractions kept. */
export function preciseMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e11 ? value : value * 1000;
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return preciseMs(Number(trimmed));
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed}Z`);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** The data / attribute key that records times replaced by the receive time (clock drift). */
export const CLOCK_DRIFT_NOTE = 'proliferate.clock_drift';

/**
 * Collects the span or log times that are not plausible (digest/time-bounds.ts): such a time reads
 * as undefined, so the caller's fallback (the receive time, or the span's other end) is used, and
 * the sent value is recorded, as events record clock_drift. A stored time is then always a date
 * the lists can sort and page by (a 1e300 start once broke a project's trace list for good).
 */
export class TimeChecker {
  private readonly notes: string[] = [];
  constructor(private readonly receivedMs: number) {}

  check(field: string, ms: number | undefined): number | undefined {
    if (ms === undefined || isPlausibleMs(ms, this.receivedMs)) return ms;
    this.notes.push(`${field} ${describeMs(ms)}`);
    return undefined;
  }

  /** Adds the note to span data or log attributes when a time was replaced; clears for the next. */
  note(target: Record<string, unknown>): Record<string, unknown> {
    if (this.notes.length) target[CLOCK_DRIFT_NOTE] = `${this.notes.join(', ')}: out of range, the receive time was used`;
    this.notes.length = 0;
    return target;
  }
}

/** A log severity number is 1-24 (OpenTelemetry); anything else is not kept. */
export function severityNumber(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 24 ? n : null;
}

export const clip = (text: string, max = MAX_NAME) => (text.length > max ? text.slice(0, max - 1) + '…' : text);
export const clipBody = (text: string) => clip(text, MAX_BODY);

/**
 * Sentry span statuses: `ok` (and `cancelled`, which Sentry does not count as a failure) are ok,
 * no status or `unknown` / `unset` is unset, everything else (`internal_error`, `not_found`,
 * `error`, ...) is an error.
 */
export function sentrySpanStatus(value: unknown): SpanStatus {
  if (typeof value !== 'string' || value === '' || value === 'unknown' || value === 'unset') return 'unset';
  return value === 'ok' || value === 'cancelled' ? 'ok' : 'error';
}

/** Span data as stored: bounded JSON values. */
export function spanData(value: unknown): Record<string, unknown> {
  if (!isObject(value)) return {};
  return (boundedJson(value, 6, 2048) as Record<string, unknown>) ?? {};
}

/** `{key: {value, type}}` (Sentry's typed attributes) to `{key: value}`. */
export function typedAttributes(value: unknown): Record<string, unknown> {
  if (!isObject(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, attr] of Object.entries(value)) out[key] = isObject(attr) && 'value' in attr ? attr.value : attr;
  return spanData(out);
}

/** Trace tags by the protocol's rules; invalid ones are dropped. */
export function traceTags(value: unknown): Record<string, string> {
  return capTags(sanitizeTags(value).tags).tags;
}

/** Metadata values: scalars as text (tag rules for the text), other values as JSON. */
export function traceMetadata(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [key, item] of Object.entries(value).slice(0, 100)) {
    if (key.length === 0 || key.length > 250 || item === null || item === undefined) continue;
    const checked = checkTagValue(item);
    if (checked.ok) out[key] = checked.value;
    else out[key] = clip(typeof item === 'string' ? item : JSON.stringify(boundedJson(item, 4, 512)), 4096);
  }
  return out;
}
