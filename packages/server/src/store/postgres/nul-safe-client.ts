import pg from 'pg';
import type { DigestedEvent } from '../types.js';

/**
 * PostgreSQL's text and jsonb cannot hold the NUL character (U+0000): a parameter with one fails the
 * whole statement (22021, or 22P05 for a `\u0000` escape in jsonb), and on the write path that would
 * fail every event of a group commit for one hostile string. SQLite stores NUL as is. Here each NUL
 * in a bound string parameter becomes U+FFFD, the replacement character, both when writing and when
 * searching, so a search for a NUL finds what was stored with one. Buffers (bytea: the stored
 * payloads) are untouched, so the raw event keeps its bytes.
 */
const REPLACEMENT = '\uFFFD';
// A JSON `\u0000` escape not itself escaped (preceded by an even run of backslashes).
const JSON_NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

export function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') {
    let text = value;
    if (text.includes('\u0000')) text = text.replaceAll('\u0000', REPLACEMENT);
    if (text.includes('\\u0000')) text = text.replace(JSON_NUL_ESCAPE, `$1\\ufffd`);
    return text;
  }
  if (Array.isArray(value)) return value.some(needsCleaning) ? value.map(withoutNul) : value;
  return value;
}

function needsCleaning(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || value.includes('\\u0000');
  return Array.isArray(value) && value.some(needsCleaning);
}

/** The client every pooled connection uses: cleans parameters of the (sql, values) calls Kysely makes. */
export class NulSafeClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has many overloads; this forwards them all
  override query(config: any, values?: any, callback?: any): any {
    if (Array.isArray(values) && values.some(needsCleaning)) values = values.map(withoutNul);
    return super.query(config, values, callback);
  }
}

const clean = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', REPLACEMENT) : text);
const cleanOrNull = (text: string | null): string | null => (text === null ? null : clean(text));

/**
 * The event's indexed strings as PostgreSQL will store them. The writer matches rows it reads back
 * (tag value ids, release ids) by these strings, so they are cleaned before it sees them, not only
 * when bound. The payload is encoded to bytes and keeps its NULs.
 */
export function withoutNulInEvent(event: DigestedEvent): DigestedEvent {
  const strings = [event.title, event.culprit, event.level, event.environment, event.release, event.userKey, event.accountKey, event.fingerprint];
  if (!strings.some((s) => s?.includes('\u0000')) && !event.tags.some(([k, v]) => k.includes('\u0000') || v.includes('\u0000'))) return event;
  return {
    ...event,
    title: clean(event.title),
    culprit: clean(event.culprit),
    level: clean(event.level),
    environment: cleanOrNull(event.environment),
    release: cleanOrNull(event.release),
    userKey: cleanOrNull(event.userKey),
    accountKey: cleanOrNull(event.accountKey),
    fingerprint: clean(event.fingerprint),
    tags: event.tags.map(([k, v]) => [clean(k), clean(v)]),
  };
}
