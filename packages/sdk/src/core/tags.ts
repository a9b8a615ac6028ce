/**
 * Tag rules, shared with the server through @proliferate/protocol (bundled, so the SDK keeps zero
 * runtime dependencies). An invalid tag is dropped with a debug warning, never altered; a key that
 * looks like it holds a secret (seed 000, "Bad - sensitive information") warns once.
 */
import { checkTagKey, checkTagValue, looksSensitiveTagKey } from '@proliferate/protocol';
import { debug, safeString, warnOnce } from './debug.js';

// setTag must stay under a microsecond, so a key's verdict is computed once. Bounded, because keys
// are sometimes built from data (`flag_${name}`).
const keyVerdicts = new Map<string, string | null>();
const MAX_CACHED_KEYS = 2048;

function keyProblem(key: string): string | null {
  let verdict = keyVerdicts.get(key);
  if (verdict !== undefined) return verdict;
  verdict = checkTagKey(key);
  if (verdict === null && looksSensitiveTagKey(key)) {
    warnOnce(
      `tag:${key}`,
      `tag "${key}" looks like it holds sensitive data; tags are indexed and shown to everyone with ` +
        'access. Put secrets nowhere, and identifiers in setUser / setAccount / setContext.',
    );
  }
  if (keyVerdicts.size < MAX_CACHED_KEYS) keyVerdicts.set(key, verdict);
  return verdict;
}

/**
 * A tag the SDK dropped, sent in the event's `errors` in the shape the server records for the
 * tags it drops itself (digest/normalize.ts), so the event page shows it and not only a debug log.
 */
export interface TagDrop extends Record<string, unknown> {
  type: 'invalid_tag';
  key: string;
  reason: string;
  value: string | null;
}
/** Drops remembered per scope or event: enough to see the mistake, bounded against a loop of bad keys. */
export const MAX_TAG_DROPS = 10;

const preview = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? safeString(value));
  } catch {
    text = safeString(value);
  }
  return text.length <= 64 ? text : `${text.slice(0, 63)}\u2026`;
};

export function recordTagDrop(drops: Record<string, TagDrop>, key: unknown, value: unknown, reason: string): void {
  const name = preview(key) ?? safeString(key);
  if (!(name in drops) && Object.keys(drops).length >= MAX_TAG_DROPS) return;
  drops[name] = { type: 'invalid_tag', key: name, reason, value: preview(value) };
}

/**
 * The tag's string value, or undefined when the tag breaks a rule (and is therefore dropped); a
 * drop is recorded in `drops` when given.
 */
export function validTagValue(key: unknown, value: unknown, drops?: Record<string, TagDrop>): string | undefined {
  if (typeof value === 'string' && typeof key === 'string') {
    // fast path for the common case; the full check still runs for anything unusual
    if (keyProblem(key) === null && value.length > 0 && value.length <= 200 && !/[\r\n]/.test(value)) return value;
  }
  const problem = typeof key === 'string' ? keyProblem(key) : checkTagKey(key);
  if (problem) {
    debug.warn(`tag dropped: key ${JSON.stringify(safeString(key))} (${problem})`);
    if (drops) recordTagDrop(drops, key, value, problem);
    return undefined;
  }
  const checked = checkTagValue(value);
  if (!checked.ok) {
    debug.warn(`tag dropped: ${safeString(key)} (${checked.reason})`);
    if (drops) recordTagDrop(drops, key, value, checked.reason);
    return undefined;
  }
  return checked.value;
}
