/** Shared coercions for spans and logs from every wire format (Sentry items, OTLP). */
import { checkTagValue, sanitizeTags } from '@proliferate/protocol';
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
  return sanitizeTags(value).tags;
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
