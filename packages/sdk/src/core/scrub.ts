/**
 * Keeps secrets out of events: values under sensitive keys in extra, contexts, breadcrumb data and
 * request headers are replaced, and secrets in URLs (credentials, sensitive query parameters) are
 * stripped. The same walk makes the data JSON-safe (cycles, depth, functions, bigints, errors).
 */

import { SENSITIVE_KEY } from '@proliferate/protocol';

export const FILTERED = '[Filtered]';

/** The shared list of secret-looking key names (packages/protocol/src/sensitive.ts). */
export const DEFAULT_SENSITIVE_KEY = SENSITIVE_KEY;

export type KeyMatcher = (key: string) => boolean;

export function keyMatcher(patterns: Array<string | RegExp> | undefined, useDefaults: boolean): KeyMatcher {
  const extra = (patterns ?? []).map((p) => (typeof p === 'string' ? new RegExp(escapeRegExp(p), 'i') : p));
  return (key) => (useDefaults && DEFAULT_SENSITIVE_KEY.test(key)) || extra.some((re) => re.test(key));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MAX_STRING = 16_384;
const MAX_KEYS = 200;

/**
 * A JSON-safe copy of `value` with sensitive keys filtered, at most `depth` levels deep.
 * Never throws: getters that throw become `[unreadable]`.
 */
export function normalize(value: unknown, sensitive: KeyMatcher | null, depth = 6, seen = new WeakSet<object>()): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'function':
      return `[function ${(value as { name?: string }).name || 'anonymous'}]`;
    case 'symbol':
      return value.toString();
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[circular]';
  if (depth <= 0) return Array.isArray(object) ? '[array]' : '[object]';
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Error) return `${object.name}: ${object.message}`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return object.slice(0, MAX_KEYS).map((item) => normalize(item, sensitive, depth - 1, seen));
    }
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const key of Object.keys(object)) {
      if (count++ >= MAX_KEYS) break;
      if (sensitive?.(key)) {
        out[key] = FILTERED;
        continue;
      }
      let item: unknown;
      try {
        item = (object as Record<string, unknown>)[key];
      } catch {
        item = '[unreadable]';
      }
      out[key] = normalize(item, sensitive, depth - 1, seen);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** Headers as sent: sensitive ones filtered; `cookie` and `authorization` never leave at all. */
export function scrubHeaders(headers: Record<string, unknown>, sensitive: KeyMatcher | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'cookie' || lower === 'authorization' || lower === 'proxy-authorization') continue;
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    out[lower] = sensitive?.(lower) ? FILTERED : value;
  }
  return out;
}

/** `https://user:pw@host/p?token=abc&q=1` -> `https://host/p?token=[Filtered]&q=1`. */
export function stripUrlSecrets(url: string, sensitive: KeyMatcher | null = (k) => DEFAULT_SENSITIVE_KEY.test(k)): string {
  if (typeof url !== 'string' || url === '') return url;
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
  const queryAt = out.indexOf('?');
  if (queryAt === -1 || !sensitive) return out;
  const hashAt = out.indexOf('#', queryAt);
  const end = hashAt === -1 ? out.length : hashAt;
  const query = out
    .slice(queryAt + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return eq !== -1 && sensitive(decoded) ? `${name}=${FILTERED}` : pair;
    })
    .join('&');
  out = out.slice(0, queryAt + 1) + query + out.slice(end);
  return out;
}
