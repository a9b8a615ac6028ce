/** Small, pure coercions used by normalization. Explicit nulls count as missing everywhere. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function text(value: unknown, max: number): string | undefined {
  if (typeof value === 'string') return value.length > max ? value.slice(0, max - 1) + '…' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Copies a JSON-like value with bounds on depth, keys, array length and string length, dropping
 * functions, undefined and nulls-in-objects, so stored data has a known maximum size.
 */
export function boundedJson(value: unknown, depth = 8, maxString = 4096): Json | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return text(value, maxString);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'object': {
      if (depth <= 0) return '[depth limit]';
      if (Array.isArray(value)) {
        return value.slice(0, 100).map((item) => boundedJson(item, depth - 1, maxString) ?? null);
      }
      const out: JsonObject = {};
      let keys = 0;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (keys++ >= 200) break;
        const bounded = boundedJson(item, depth - 1, maxString);
        if (bounded !== undefined) out[key.slice(0, 256)] = bounded;
      }
      return out;
    }
    default:
      return undefined;
  }
}

export function boundedObject(value: unknown, depth = 8): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  return boundedJson(value, depth) as JsonObject;
}

/** Seconds (float or integer), milliseconds, or an ISO string, to epoch milliseconds. */
export function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Sentry sends seconds; a value this large can only be milliseconds.
    return value > 1e11 ? Math.round(value) : Math.round(value * 1000);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return timestampMs(Number(trimmed));
    // ISO strings without a zone are UTC in the Sentry protocol.
    const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed}Z`;
    const ms = Date.parse(withZone);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** 32 lowercase hex digits, from a uuid with or without dashes; otherwise undefined. */
export function hexId(value: unknown, length = 32): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.replace(/-/g, '').toLowerCase();
  return hex.length === length && /^[0-9a-f]+$/.test(hex) ? hex : undefined;
}
