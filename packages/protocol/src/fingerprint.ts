/**
 * Grouping v1 (seed 001, PRODUCT.md): the exception type and the three frames nearest to where the
 * error was thrown, each `function@basename(file)`, joined with `|`, SHA-256, first 16 hex digits.
 *
 * The grouping *source* is computed here without hashing so this module stays synchronous and free
 * of platform crypto; callers hash it with `fingerprintFromSource` and their own SHA-256.
 */

export const GROUPING_VERSION = 'v1';
export const FRAMES_IN_FINGERPRINT = 3;
export const DEFAULT_FINGERPRINT_PLACEHOLDER = /^\{\{\s*default\s*\}\}$/;

export interface GroupingFrame {
  function?: string | null;
  filename?: string | null;
  abs_path?: string | null;
  module?: string | null;
}
export interface GroupingException {
  type?: string | null;
  value?: string | null;
  stacktrace?: { frames?: GroupingFrame[] | null } | null;
}
export interface GroupingEvent {
  exception?: { values?: GroupingException[] | null } | null;
  message?: string | null;
  logentry?: { message?: string | null; formatted?: string | null } | null;
  fingerprint?: unknown;
}

const MISSING = '?';

/** `/srv/app/src/app.js?v=3#x` -> `app.js`; Windows paths too. */
export function fileBaseName(path: string | null | undefined): string {
  if (!path) return MISSING;
  const withoutQuery = path.replace(/[?#].*$/, '');
  const segments = withoutQuery.split(/[\\/]/);
  const last = segments[segments.length - 1];
  return last ? last : MISSING;
}

function frameKey(frame: GroupingFrame): string {
  const fn = frame.function ? frame.function : MISSING;
  const file = fileBaseName(frame.filename || frame.abs_path || frame.module);
  return `${fn}@${file}`;
}

/**
 * The exception that was captured. Sentry lists chained exceptions oldest first, so the captured
 * (outermost) one is the last value.
 */
export function capturedException(event: GroupingEvent): GroupingException | undefined {
  const values = event.exception?.values;
  if (!values || values.length === 0) return undefined;
  return values[values.length - 1];
}

/**
 * Variable parts of a message (ids, hashes, numbers) would split one problem into many issues, so
 * for events without a stack trace they are replaced before grouping.
 */
export function normalizeMessageForGrouping(message: string): string {
  return message
    .slice(0, 1024)
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(\.\d+)?/g, '<n>');
}

function messageText(event: GroupingEvent): string | undefined {
  return event.logentry?.message || event.logentry?.formatted || event.message || undefined;
}

/**
 * The default grouping source:
 * - an exception with frames: `Type|fn@file|fn@file|fn@file` (fewer frames if fewer exist);
 * - an exception without frames: `Type|<normalized value>`;
 * - a message (no exception, or the type-less synthetic exception that @sentry/node 11 attaches to
 *   messages): `message|<normalized message>`;
 * - anything else groups as `event`.
 */
export function defaultGroupingSource(event: GroupingEvent): string {
  const exception = capturedException(event);
  if (exception && exception.type) {
    const frames = exception.stacktrace?.frames ?? [];
    if (frames.length > 0) {
      const nearest = frames.slice(-FRAMES_IN_FINGERPRINT).reverse();
      return [exception.type, ...nearest.map(frameKey)].join('|');
    }
    return `${exception.type}|${normalizeMessageForGrouping(exception.value ?? '')}`;
  }
  const message = messageText(event) ?? exception?.value ?? undefined;
  if (message) return `message|${normalizeMessageForGrouping(message)}`;
  return 'event';
}

/**
 * The grouping source with an SDK-sent `fingerprint` applied: its parts joined with `|`, each
 * `{{ default }}` replaced by the default source. Non-string parts are stringified; an empty or
 * malformed fingerprint is ignored.
 */
export function groupingSource(event: GroupingEvent): string {
  const custom = event.fingerprint;
  if (Array.isArray(custom) && custom.length > 0) {
    const parts = custom.filter((part) => ['string', 'number', 'boolean'].includes(typeof part)).map(String);
    if (parts.length > 0) {
      return parts
        .map((part) => (DEFAULT_FINGERPRINT_PLACEHOLDER.test(part) ? defaultGroupingSource(event) : part))
        .join('|');
    }
  }
  return defaultGroupingSource(event);
}

/** First 16 hex digits of SHA-256 of the source; `sha256Hex` is the platform's hash. */
export function fingerprintFromSource(source: string, sha256Hex: (text: string) => string): string {
  return sha256Hex(source).slice(0, 16);
}
