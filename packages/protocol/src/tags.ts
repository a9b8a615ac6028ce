/**
 * Tag rules shared by the server and every SDK (seed 002, "Tag Rules"):
 * keys of 1-32 characters from letters, digits and `_ . : -`; values of 1-200 characters without a
 * line break. Non-string scalars become strings in one documented way. An invalid tag is dropped,
 * never altered, and the reason is reported so the drop is visible.
 */

import { isSensitiveKey } from './sensitive.js';

export const TAG_KEY_MAX_LENGTH = 32;
export const TAG_VALUE_MAX_LENGTH = 200;
const TAG_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export type TagDropReason =
  | 'key_not_string'
  | 'key_empty'
  | 'key_too_long'
  | 'key_invalid_characters'
  | 'value_missing'
  | 'value_not_scalar'
  | 'value_empty'
  | 'value_too_long'
  | 'value_has_newline';

export interface DroppedTag {
  key: string;
  reason: TagDropReason;
  /** The offending value as text, cut to 64 characters, for display. */
  value?: string;
}

export type TagCheck = { ok: true; value: string } | { ok: false; reason: TagDropReason };

/** Counts code points, so a value's length means the same in JavaScript and Python. */
function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

export function checkTagKey(key: unknown): TagDropReason | null {
  if (typeof key !== 'string') return 'key_not_string';
  if (key.length === 0) return 'key_empty';
  if (codePointLength(key) > TAG_KEY_MAX_LENGTH) return 'key_too_long';
  if (!TAG_KEY_PATTERN.test(key)) return 'key_invalid_characters';
  return null;
}

/**
 * Converts a tag value to its string form: strings stay as they are, booleans become `true` /
 * `false`, integral numbers are written without a fraction or exponent, other finite numbers in
 * their shortest round-trip form. null, undefined, NaN, infinities, objects and arrays are invalid.
 */
export function tagValueToString(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) return null;
      if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
      return String(value);
    default:
      return null;
  }
}

export function checkTagValue(value: unknown): TagCheck {
  if (value === null || value === undefined) return { ok: false, reason: 'value_missing' };
  const text = tagValueToString(value);
  if (text === null) return { ok: false, reason: 'value_not_scalar' };
  if (text.length === 0) return { ok: false, reason: 'value_empty' };
  if (codePointLength(text) > TAG_VALUE_MAX_LENGTH) return { ok: false, reason: 'value_too_long' };
  if (/[\r\n]/.test(text)) return { ok: false, reason: 'value_has_newline' };
  return { ok: true, value: text };
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 64 ? text.slice(0, 63) + '…' : text;
}

export interface TagSet {
  tags: Record<string, string>;
  dropped: DroppedTag[];
}

/**
 * Applies the rules to tags as clients send them: an object, or an array of `[key, value]` pairs
 * (older Sentry SDKs). Later pairs win over earlier ones with the same key.
 */
export function sanitizeTags(input: unknown): TagSet {
  const tags: Record<string, string> = {};
  const dropped: DroppedTag[] = [];
  let pairs: Array<[unknown, unknown]> = [];
  if (Array.isArray(input)) {
    for (const pair of input) {
      if (Array.isArray(pair) && pair.length === 2) pairs.push([pair[0], pair[1]]);
      else dropped.push({ key: preview(pair), reason: 'key_not_string' });
    }
  } else if (input !== null && typeof input === 'object') {
    pairs = Object.entries(input as Record<string, unknown>);
  }
  for (const [key, value] of pairs) {
    const keyProblem = checkTagKey(key);
    if (keyProblem) {
      dropped.push({ key: preview(key), reason: keyProblem, value: preview(value) });
      continue;
    }
    const checked = checkTagValue(value);
    if (!checked.ok) {
      dropped.push({ key: key as string, reason: checked.reason, value: preview(value) });
      continue;
    }
    tags[key as string] = checked.value;
  }
  return { tags, dropped };
}

/** Seed 000's "Bad - sensitive information": SDKs warn when a tag key looks like a secret. */
export function looksSensitiveTagKey(key: string): boolean {
  return isSensitiveKey(key);
}
