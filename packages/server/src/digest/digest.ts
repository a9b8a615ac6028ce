import { createHash } from 'node:crypto';
import { checkTagValue, fingerprintFromSource, GROUPING_VERSION, groupingSource } from '@proliferate/protocol';
import { IDENTITY_TAG_KEYS, type DigestedEvent, type StoredContext } from '../store/types.js';
import { eventCulprit, eventKind, eventTitle } from './describe.js';
import { applyFingerprintRules, type RuleMatch } from './fingerprint-rules/match.js';
import type { FingerprintRule } from './fingerprint-rules/parse.js';
import { normalizeEvent, type NormalizeContext, type NormalizedEvent } from './normalize.js';
import { hexId } from './values.js';

const encoder = new TextEncoder();
const NO_RULES: readonly FingerprintRule[] = [];
/** A rule's text kept on each event it grouped, cut to this many characters. */
const MAX_RULE_TEXT = 500;
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

function userKey(user: Record<string, unknown> | null): string | null {
  if (!user) return null;
  for (const field of ['id', 'email', 'username', 'ip_address']) {
    const value = user[field];
    if (typeof value === 'string' && value !== '') return `${field}:${value}`;
  }
  return null;
}

function accountKey(account: Record<string, unknown> | null): string | null {
  if (!account) return null;
  for (const field of ['id', 'name']) {
    const value = account[field];
    if (typeof value === 'string' && value !== '') return `${field}:${value}`;
  }
  return null;
}

/**
 * Search fields that are not tags the SDK set but are indexed the same way, so `user.email:` or
 * `error.type:` filter and count like tags. A tag the SDK set with the same key wins.
 */
/** Search fields derived from the event: the identity keys plus the captured exception's type. */
export const DERIVED_TAG_KEYS: ReadonlySet<string> = new Set([...IDENTITY_TAG_KEYS, 'error.type']);

function derivedTags(event: ReturnType<typeof normalizeEvent>): Array<[string, string]> {
  const pairs: Array<[string, unknown]> = [
    ['user.id', event.user?.id],
    ['user.email', event.user?.email],
    ['user.username', event.user?.username],
    ['account.id', event.account?.id],
    ['account.name', event.account?.name],
    ['error.type', event.exception?.values[event.exception.values.length - 1]?.type],
    // Seed 001: "correlate multiple errors from the same user session" and tab (docs/triage.md).
    ['session_id', event.sessionId],
    ['window_id', event.windowId],
    ['trace_id', event.traceId],
  ];
  return pairs.flatMap(([key, value]) => {
    if (event.tags[key] !== undefined) return [];
    const checked = checkTagValue(value);
    return checked.ok ? [[key, checked.value] as [string, string]] : [];
  });
}

/**
 * Normalize, group and describe one event: everything the writer needs, computed off the writer.
 * `json` is the event as received, kept as is (the payload) and normalized again when read
 * (stored-event.ts): serializing the normalized event instead cost more than a quarter of the
 * digest. Callers that built `raw` themselves (tests, the bench's data set) may leave it out.
 */
export function digestEvent(
  raw: Record<string, unknown>,
  projectId: number,
  ctx: NormalizeContext,
  json?: Uint8Array,
  fingerprintRules: readonly FingerprintRule[] = NO_RULES,
): DigestedEvent {
  const event = normalizeEvent(raw, ctx, 'digest');
  // The project's fingerprint rules (parsed once per change, rule-cache.ts) come first: the first
  // matching rule replaces the grouping source, and its title the (docs/grouping.md).
  const matched = applyFingerprintRules(fingerprintRules, event, raw);
  const source = matched?.source ?? groupingSource(event);
  const fingerprint = fingerprintFromSource(source, sha256Hex);
  const title = matched?.title ?? eventTitle(event);
  const culprit = eventCulprit(event);
  const type = eventKind(event);
  return {
    projectId,
    eventId: event.eventId,
    timestamp: event.timestamp,
    received: event.received,
    fingerprint,
    groupingVersion: GROUPING_VERSION,
    title,
    culprit,
    type,
    level: event.level,
    environment: event.environment ?? null,
    release: event.release ?? null,
    userKey: userKey(event.user),
    accountKey: accountKey(event.account),
    traceId: event.traceId,
    tags: [...Object.entries(event.tags), ...derivedTags(event)],
    payload: { json: json ? ownBytes(json) : encoder.encode(JSON.stringify(raw)), context: storedContext(raw, event, ctx, matched) },
  };
}

/**
 * What normalizing again on read needs besides the event row (id, received time, trace id): the
 * sender's address if it became user.ip_address, and whether the id was made up here.
 */
function storedContext(raw: Record<string, unknown>, event: NormalizedEvent, ctx: NormalizeContext, matched: RuleMatch | undefined): StoredContext {
  const context: StoredContext = {};
  if (matched) {
    context.fingerprintRule = { line: matched.rule.line, rule: matched.rule.text.slice(0, MAX_RULE_TEXT), source: matched.source };
    if (matched.title !== undefined) context.fingerprintRule.title = matched.title;
  }
  if (ctx.clientIp !== undefined && event.user?.ip_address === ctx.clientIp) context.clientIp = ctx.clientIp;
  if (!hexId(raw.event_id) && !hexId(ctx.envelopeEventId)) context.generatedId = true;
  return context;
}

/**
 * The bytes in a buffer of their own: a view into a larger body (an envelope's item) would take
 * the whole body along when posted to the writer thread.
 */
const ownBytes = (view: Uint8Array) =>
  view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : new Uint8Array(view);
