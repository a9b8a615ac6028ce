/**
 * Inbound filters (per project): drop an error event before it is stored when its message matches
 * a pattern, its release or environment is listed, or it comes from a browser extension. Patterns
 * are globs (`*` = any run of characters), as Sentry's inbound filters are: no user-written regular
 * expression runs on the ingest path, so no pattern can stall it.
 */
import { isObject } from '../../digest/values.js';
import type { InboundFilters } from '../../store/ingest-policy-types.js';

/** The drop reasons recorded in the outcome counts. */
export type FilterReason = 'error_message' | 'release' | 'environment' | 'browser_extension';

export interface CompiledFilters {
  matches(raw: Record<string, unknown>): FilterReason | null;
}

/** Text a pattern is matched against is cut here: enough for any message a person writes a rule for. */
const MAX_MATCHED_TEXT = 2000;

const EXTENSION_URL = /^(?:chrome|moz|safari|safari-web|ms-browser)-extension:\/\/|^chrome:\/\/|^resource:\/\/|^webkit-masked-url:/i;
/** Messages that browser extensions and injected toolbars throw into pages, well known as noise. */
const EXTENSION_MESSAGES = [
  /top\.GLOBALS/,
  /originalCreateNotification/,
  /canvas\.contentDocument/,
  /MyApp_RemoveAllHighlights/,
  /atomicFindClose/,
  /fb_xd_fragment/,
  /bmi_SafeAddOnload/,
  /EBCallBackMessageReceived/,
  /conduitPage/,
  /Can't find variable: ZiteReader/,
  /jigsaw is not defined/,
  /ComboSearch is not defined/,
  /webkitExitFullScreen/,
  /^ResizeObserver loop (?:limit exceeded|completed with undelivered notifications)/,
];

/** `1.2.*` → /^1\.2\..*$/i. Only `*` is special. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}

function exceptionValues(raw: Record<string, unknown>): Record<string, unknown>[] {
  const exception = raw.exception;
  const values = Array.isArray(exception) ? exception : isObject(exception) && Array.isArray(exception.values) ? exception.values : [];
  return values.filter(isObject).slice(-10);
}

/** The texts a message filter sees: the message (plain or logentry) and each exception as `Type: value`. */
export function messageTexts(raw: Record<string, unknown>): string[] {
  const out: string[] = [];
  const push = (value: unknown) => {
    if (typeof value === 'string' && value !== '') out.push(value.slice(0, MAX_MATCHED_TEXT));
  };
  const entry = isObject(raw.logentry) ? raw.logentry : isObject(raw.message) ? raw.message : null;
  if (entry) {
    push(entry.formatted);
    push(entry.message);
  } else push(raw.message);
  for (const value of exceptionValues(raw)) {
    const type = typeof value.type === 'string' ? value.type : '';
    const text = typeof value.value === 'string' ? value.value : '';
    push(type && text ? `${type}: ${text}` : type || text);
  }
  return out;
}

function fromExtension(raw: Record<string, unknown>): boolean {
  const values = exceptionValues(raw);
  for (const value of values) {
    const frames = isObject(value.stacktrace) && Array.isArray(value.stacktrace.frames) ? value.stacktrace.frames : [];
    // The frame that threw is the last one (Sentry lists frames oldest first).
    const last = frames.filter(isObject).at(-1);
    const file = last ? (last.abs_path ?? last.filename) : undefined;
    if (typeof file === 'string' && EXTENSION_URL.test(file)) return true;
  }
  const texts = messageTexts(raw);
  return texts.some((text) => EXTENSION_MESSAGES.some((pattern) => pattern.test(text)));
}

export function compileFilters(filters: InboundFilters): CompiledFilters | null {
  const messages = filters.messagePatterns.map(globToRegExp);
  const releases = filters.releases.map(globToRegExp);
  const environments = new Set(filters.environments);
  if (messages.length === 0 && releases.length === 0 && environments.size === 0 && !filters.browserExtensions) return null;
  return {
    matches(raw) {
      if (environments.size && typeof raw.environment === 'string' && environments.has(raw.environment)) return 'environment';
      if (releases.length && typeof raw.release === 'string' && releases.some((r) => r.test(raw.release as string))) return 'release';
      if (messages.length) {
        const texts = messageTexts(raw);
        if (texts.some((text) => messages.some((m) => m.test(text)))) return 'error_message';
      }
      if (filters.browserExtensions && fromExtension(raw)) return 'browser_extension';
      return null;
    },
  };
}
