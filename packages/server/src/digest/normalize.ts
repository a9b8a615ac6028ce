/**
 * Turns whatever a client sent as an event into one normalized shape (the stored payload and the
 * API's event). Pure: no I/O, no clock except what the context passes in.
 */
import { checkTagValue, sanitizeTags } from '@proliferate/protocol';
import { normalizeExceptions, normalizeFrames, normalizeThreads, type NormalizedException } from './exception.js';
import { capTags, MAX_INVALID_TAG_NOTES, MAX_TAGS_PER_EVENT } from './tag-cap.js';
import { describeMs, isPlausibleMs } from './time-bounds.js';
import { boundedJson, boundedObject, hexId, isObject, text, timestampMs, type Json, type JsonObject } from './values.js';

export interface NormalizeContext {
  receivedMs: number;
  /** The sender's address, for `{{auto}}` in user.ip_address. */
  clientIp?: string;
  /** event_id from the envelope header, used when the item has none. */
  envelopeEventId?: unknown;
  /** trace context from the envelope header (dynamic sampling context). */
  envelopeTrace?: unknown;
}

export interface ProcessingError extends JsonObject {
  type: string;
}

export interface NormalizedEvent {
  eventId: string;
  timestamp: number;
  received: number;
  level: string;
  platform?: string;
  logger?: string;
  serverName?: string;
  transaction?: string;
  release?: string;
  dist?: string;
  environment?: string;
  message?: string;
  logentry?: JsonObject;
  exception?: { values: NormalizedException[] };
  threads?: JsonObject;
  stacktrace?: JsonObject;
  breadcrumbs: JsonObject[];
  tags: Record<string, string>;
  user: JsonObject | null;
  account: JsonObject | null;
  contexts: JsonObject;
  extra: JsonObject;
  request?: JsonObject;
  sdk?: JsonObject;
  modules?: JsonObject;
  fingerprint?: string[];
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  windowId: string | null;
  processingErrors: ProcessingError[];
}

const LEVELS: Record<string, string> = {
  fatal: 'fatal', critical: 'fatal', error: 'error', warning: 'warning', warn: 'warning',
  info: 'info', log: 'info', debug: 'debug',
};
const MAX_BREADCRUMBS = 100;
/** The largest time a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

export function normalizeLevel(value: unknown, fallback = 'error'): string {
  return (typeof value === 'string' && LEVELS[value.toLowerCase()]) || fallback;
}

function normalizeBreadcrumbs(raw: unknown, fallbackMs: number): JsonObject[] {
  const values = Array.isArray(raw) ? raw : isObject(raw) && Array.isArray(raw.values) ? raw.values : [];
  return values.slice(-MAX_BREADCRUMBS).flatMap((crumb): JsonObject[] => {
    if (!isObject(crumb)) return [];
    const at = timestampMs(crumb.timestamp);
    // The event's own time is already plausible; a crumb far outside any date takes it.
    const out: JsonObject = { timestamp: (at !== undefined && Math.abs(at) <= MAX_DATE_MS ? at : fallbackMs) / 1000 };
    for (const field of ['type', 'category', 'message']) {
      const value = text(crumb[field], field === 'message' ? 8192 : 128);
      if (value !== undefined) out[field] = value;
    }
    out.level = normalizeLevel(crumb.level, 'info');
    const data = boundedObject(crumb.data, 5);
    if (data) out.data = data;
    return [out];
  });
}

function normalizeMessage(raw: Record<string, unknown>): { message?: string; logentry?: JsonObject } {
  const entry = isObject(raw.logentry) ? raw.logentry : isObject(raw.message) ? raw.message : undefined;
  if (entry) {
    const template = text(entry.message, 8192);
    const formatted = text(entry.formatted, 8192);
    const logentry: JsonObject = {};
    if (template !== undefined) logentry.message = template;
    if (formatted !== undefined) logentry.formatted = formatted;
    if (Array.isArray(entry.params) || isObject(entry.params)) logentry.params = boundedJson(entry.params, 3) ?? null;
    return { message: formatted ?? template ?? text(raw.message, 8192), logentry };
  }
  return { message: text(raw.message, 8192) };
}

/**
 * The sender's address becomes user.ip_address when the SDK asks for it: `ip_address: "{{auto}}"`
 * (older SDKs), or `sdk.settings.infer_ip: "auto"` (current JavaScript SDKs, which no longer send
 * `{{auto}}`) when no address was given. `infer_ip: "never"` wins over `{{auto}}`.
 */
function normalizeUser(raw: unknown, clientIp: string | undefined, inferIp?: unknown): JsonObject | null {
  const user = boundedObject(raw, 4) ?? (inferIp === 'auto' ? {} : null);
  if (!user) return null;
  if (user.ip_address === '{{auto}}' || (inferIp === 'auto' && user.ip_address === undefined)) {
    if (clientIp && inferIp !== 'never') user.ip_address = clientIp;
    else delete user.ip_address;
  }
  for (const field of ['id', 'email', 'username', 'name', 'ip_address']) {
    const value = user[field];
    if (value !== undefined && value !== null && typeof value !== 'string') user[field] = String(value);
    if (value === null) delete user[field];
  }
  return Object.keys(user).length > 0 ? user : null;
}

/** Account (seed 001 "Unique users and accounts"): top-level `account`, else `contexts.account`. */
function normalizeAccount(raw: unknown, contexts: JsonObject): JsonObject | null {
  const account = boundedObject(raw, 4) ?? boundedObject(contexts.account, 4);
  if (!account) return null;
  if (typeof account.id === 'number') account.id = String(account.id);
  return Object.keys(account).length > 0 ? account : null;
}

/** At most this many drops an SDK reports are kept: enough to see the mistake. */
const MAX_SDK_TAG_DROPS = 10;

/**
 * Tags our SDKs dropped before sending (they apply the same rules), reported in the event's
 * `errors` as `{type: 'invalid_tag', key, reason, value}`: recorded like the drops of the tags the
 * server itself drops. Other entries of `errors` are not ours to interpret and are left out.
 */
function sdkTagDrops(raw: unknown): ProcessingError[] {
  if (!Array.isArray(raw)) return [];
  const out: ProcessingError[] = [];
  for (const entry of raw.slice(0, 100)) {
    if (out.length >= MAX_SDK_TAG_DROPS) break;
    if (!isObject(entry) || entry.type !== 'invalid_tag') continue;
    const key = text(entry.key, 64);
    const reason = text(entry.reason, 64);
    if (!key || !reason || !/^[a-z_]+$/.test(reason)) continue;
    out.push({ type: 'invalid_tag', key, reason, value: text(entry.value, 64) ?? null });
  }
  return out;
}

const firstString = (...values: Array<Json | undefined>) =>
  values.find((v): v is string => typeof v === 'string' && v !== '');

/**
 * How much to normalize. 'digest' is what ingest needs to group, describe, tag and count an event;
 * it leaves out what only the stored payload shows (breadcrumbs, extra, request, sdk, modules,
 * threads, a bare stacktrace), since ingest keeps the event as received and reads normalize it in
 * 'full' (digest/stored-event.ts). Every field 'digest' fills is the same in both.
 */
export type NormalizeDetail = 'full' | 'digest';

export function normalizeEvent(raw: Record<string, unknown>, ctx: NormalizeContext, detail: NormalizeDetail = 'full'): NormalizedEvent {
  const full = detail === 'full';
  const errors: ProcessingError[] = [];
  let eventId = hexId(raw.event_id) ?? hexId(ctx.envelopeEventId);
  if (!eventId) {
    if (raw.event_id !== undefined && raw.event_id !== null) errors.push({ type: 'invalid_event_id', value: text(raw.event_id, 64) ?? null });
    eventId = crypto.randomUUID().replace(/-/g, '');
  }

  let timestamp = timestampMs(raw.timestamp);
  if (timestamp === undefined) {
    if (raw.timestamp !== undefined && raw.timestamp !== null) errors.push({ type: 'invalid_timestamp', value: text(raw.timestamp, 64) ?? null });
    timestamp = ctx.receivedMs;
  } else if (!isPlausibleMs(timestamp, ctx.receivedMs)) {
    errors.push({ type: 'clock_drift', value: describeMs(timestamp) });
    timestamp = ctx.receivedMs;
  }

  // Errors recorded while processing the event before digest (symbolication: `js_no_source` ...,
  // server-side scrubbing: `scrubbed`, written by ingest after it removed any a client sent).
  // Only those: our SDKs' tag drops are read by sdkTagDrops below, and other entries a client sends
  // are not ours to interpret.
  if (Array.isArray(raw.errors)) {
    for (const error of raw.errors.slice(0, 50)) {
      const bounded = boundedObject(error, 2);
      if (bounded && typeof bounded.type === 'string' && (bounded.type.startsWith('js_') || bounded.type === 'scrubbed')) errors.push(bounded as ProcessingError);
    }
  }
  const contexts = boundedObject(raw.contexts, 6) ?? {};
  const exceptions = normalizeExceptions(raw.exception, full);
  const { message, logentry } = normalizeMessage(raw);
  const hasTypedException = exceptions.some((e) => e.type);

  const sanitized = sanitizeTags(raw.tags);
  const { tags, dropped: overCap } = capTags(sanitized.tags);
  const invalid = sanitized.dropped;
  for (const drop of invalid.slice(0, MAX_INVALID_TAG_NOTES)) errors.push({ type: 'invalid_tag', key: drop.key, reason: drop.reason, value: drop.value ?? null });
  if (invalid.length > MAX_INVALID_TAG_NOTES) errors.push({ type: 'invalid_tag', reason: 'more_invalid_tags', count: invalid.length - MAX_INVALID_TAG_NOTES });
  if (overCap > 0) errors.push({ type: 'too_many_tags', kept: MAX_TAGS_PER_EVENT, dropped: overCap });
  errors.push(...sdkTagDrops(raw.errors));

  const environment = text(raw.environment, 64) ?? tags.environment;
  const release = text(raw.release, 200);
  const level = normalizeLevel(raw.level, hasTypedException || !message ? 'error' : 'info');
  const builtins: Array<[string, string | undefined]> = [['environment', environment], ['release', release], ['level', level]];
  for (const [key, value] of builtins) {
    if (value === undefined) continue;
    const checked = checkTagValue(value);
    if (!checked.ok) continue;
    if (tags[key] !== undefined && tags[key] !== checked.value) {
      errors.push({ type: 'tag_reserved', key, value: tags[key] ?? null });
    }
    tags[key] = checked.value;
  }

  const trace = isObject(contexts.trace) ? contexts.trace : {};
  const envelopeTrace = isObject(ctx.envelopeTrace) ? ctx.envelopeTrace : {};
  const session = isObject(contexts.session) ? contexts.session : {};

  const event: NormalizedEvent = {
    eventId,
    timestamp,
    received: ctx.receivedMs,
    level,
    breadcrumbs: full ? normalizeBreadcrumbs(raw.breadcrumbs, timestamp) : [],
    tags,
    user: normalizeUser(raw.user, ctx.clientIp, isObject(raw.sdk) && isObject(raw.sdk.settings) ? raw.sdk.settings.infer_ip : undefined),
    account: normalizeAccount(raw.account, contexts),
    contexts,
    extra: (full && boundedObject(raw.extra, 8)) || {},
    traceId: hexId(trace.trace_id) ?? hexId(envelopeTrace.trace_id) ?? null,
    spanId: hexId(trace.span_id, 16) ?? null,
    sessionId: firstString(text(raw.session_id, 128), session.id, session.session_id) ?? null,
    windowId: firstString(text(raw.window_id, 128), session.window_id) ?? null,
    processingErrors: errors,
  };
  const optionalText: Array<[keyof NormalizedEvent, unknown, number]> = [
    ['platform', raw.platform, 64], ['logger', raw.logger, 128], ['serverName', raw.server_name, 256],
    ['transaction', raw.transaction, 512], ['release', release, 200], ['dist', raw.dist, 64],
    ['environment', environment, 64], ['message', message, 8192],
  ];
  for (const [field, value, max] of optionalText) {
    const t = text(value, max);
    if (t !== undefined && t !== '') (event as unknown as Record<string, unknown>)[field] = t;
  }
  if (logentry && Object.keys(logentry).length) event.logentry = logentry;
  if (exceptions.length) event.exception = { values: exceptions };
  if (full) addDisplayedFields(event, raw);
  if (Array.isArray(raw.fingerprint)) {
    event.fingerprint = raw.fingerprint.slice(0, 20).flatMap((p) => (text(p, 256) !== undefined ? [text(p, 256)!] : []));
  }
  return event;
}

/** What the stored payload shows but grouping, titles, tags and counts never read. */
function addDisplayedFields(event: NormalizedEvent, raw: Record<string, unknown>): void {
  const threads = normalizeThreads(raw.threads);
  if (threads) event.threads = threads;
  const frames = normalizeFrames(raw.stacktrace);
  if (frames) event.stacktrace = { frames };
  const request = boundedObject(raw.request, 4);
  if (request) event.request = request;
  const sdk = boundedObject(raw.sdk, 3);
  if (sdk) event.sdk = sdk;
  const modules = boundedObject(raw.modules, 1);
  if (modules) event.modules = modules;
}
