/**
 * Server-side scrubbing, before anything is stored. Official SDKs send what they are given, so the
 * server removes secrets by key name (password, token, authorization and cookie headers...) and by
 * value (Luhn-valid card numbers, national id numbers, bearer credentials) in the message,
 * exceptions, extra, contexts, breadcrumbs, request, user and tags; plus a project's own key names
 * and regular expressions. Each removal is noted on the event (`errors`, type `scrubbed`) with its
 * path and rule, never the value.
 */
import { SENSITIVE_KEY } from '@proliferate/protocol';
import { isObject } from '../../digest/values.js';
import type { ScrubbingRules } from '../../store/ingest-policy-types.js';

export const FILTERED = '[Filtered]';

export interface ScrubNote {
  type: 'scrubbed';
  path: string;
  rule: string;
}

export interface Scrubber {
  /** Scrubs the event in place; the notes say what went (at most MAX_NOTES, then a count). */
  scrub(raw: Record<string, unknown>): ScrubNote[];
  readonly dropIpAddresses: boolean;
}

/**
 * Key names that hold secrets: the rule our SDKs apply before sending (protocol/sensitive.ts), so
 * an official SDK's event ends up as ours would. Session ids are kept: they are the ids people
 * search replays and sessions by (seed 001), not credentials.
 */
const SECRET_KEY = SENSITIVE_KEY;
const KEPT_KEYS = /^session[_.-]?id$/i;
/** 13 to 19 digits, optionally grouped by spaces or dashes: a card number candidate, then Luhn-checked. */
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
/** US social security numbers (not 000, 666 or 9xx areas) and UK national insurance numbers. */
const NATIONAL_IDS: Array<[string, RegExp]> = [
  ['us_ssn', /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g],
  ['uk_nino', /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g],
];
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const QUERY_SECRET = /([?&;]|^)([^=&;]*(?:password|passwd|secret|token|api_?key|auth|credential)[^=&;]*)=([^&;#]*)/gi;
/** Fields whose keys and values are walked. */
const FIELDS = ['message', 'logentry', 'exception', 'extra', 'contexts', 'breadcrumbs', 'request', 'user', 'tags'] as const;
const MAX_NOTES = 20;
/** Tags, headers and cookies may be lists of [key, value] pairs; a pair in them is read as a key and its value. */
const PAIR_LIST_ITEM = /^(?:tags|request\.headers|request\.cookies)\[\d+\]$/;
const MAX_DEPTH = 24;
const IP_KEYS = new Set(['ip_address', 'remote_addr', 'x-forwarded-for', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip']);

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function compileScrubber(rules: ScrubbingRules): Scrubber {
  const extraKeys = rules.extraKeys.map((k) => k.toLowerCase().replace(/-/g, '_'));
  const extraPatterns = rules.extraPatterns.map((p) => new RegExp(p, 'g'));
  const useDefaults = rules.defaults;
  const dropIp = rules.dropIpAddresses;

  const keyRule = (key: string): string | null => {
    const normal = key.toLowerCase().replace(/-/g, '_');
    if (dropIp && IP_KEYS.has(key.toLowerCase())) return 'ip_address';
    if (useDefaults && SECRET_KEY.test(key) && !KEPT_KEYS.test(key)) return 'secret_key';
    for (const extra of extraKeys) if (normal.includes(extra)) return 'project_key';
    return null;
  };

  /** The value with every match replaced, and the first rule that matched (null: unchanged). */
  const scrubText = (text: string): [string, string | null] => {
    let rule: string | null = null;
    let out = text;
    if (useDefaults) {
      if (/\d/.test(out)) {
        out = out.replace(CARD, (match) => {
          const digits = match.replace(/[ -]/g, '');
          if (!luhnValid(digits)) return match;
          rule ??= 'credit_card';
          return FILTERED;
        });
        for (const [name, pattern] of NATIONAL_IDS) {
          out = out.replace(pattern, () => {
            rule ??= name;
            return FILTERED;
          });
        }
      }
      out = out.replace(BEARER, (_m, scheme: string) => {
        rule ??= 'bearer_credential';
        return `${scheme} ${FILTERED}`;
      });
      if (out.includes('=')) {
        out = out.replace(QUERY_SECRET, (_m, sep: string, key: string) => {
          rule ??= 'secret_key';
          return `${sep}${key}=${FILTERED}`;
        });
      }
    }
    for (const pattern of extraPatterns) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, () => {
        rule ??= 'project_pattern';
        return FILTERED;
      });
    }
    return [out, rule];
  };

  return {
    dropIpAddresses: dropIp,
    scrub(raw) {
      const notes: ScrubNote[] = [];
      let count = 0;
      const note = (path: string, rule: string) => {
        count++;
        if (notes.length < MAX_NOTES) notes.push({ type: 'scrubbed', path, rule });
      };
      const walk = (value: unknown, path: string, depth: number): unknown => {
        if (typeof value === 'string') {
          const [out, rule] = scrubText(value);
          if (rule) note(path, rule);
          return out;
        }
        if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
        if (Array.isArray(value)) {
          // Tags and headers may come as [key, value] pairs.
          if (PAIR_LIST_ITEM.test(path) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] !== 'object') {
            const rule = keyRule(value[0]);
            if (rule && value[1] !== null && value[1] !== FILTERED) {
              note(`${path}.${value[0]}`, rule);
              value[1] = FILTERED;
              return value;
            }
          }
          for (let i = 0; i < value.length; i++) value[i] = walk(value[i], `${path}[${i}]`, depth + 1);
          return value;
        }
        const object = value as Record<string, unknown>;
        for (const key of Object.keys(object)) {
          const child = object[key];
          const rule = keyRule(key);
          if (rule === 'ip_address') {
            // Removed, not masked: a masked address would make every anonymous user one user.
            if (child !== '{{auto}}') note(`${path}.${key}`, rule);
            delete object[key];
          } else if (rule && child !== null && child !== undefined && child !== '' && child !== FILTERED) {
            note(`${path}.${key}`, rule);
            object[key] = FILTERED;
          } else object[key] = walk(child, `${path}.${key}`, depth + 1);
        }
        return object;
      };
      for (const field of FIELDS) {
        if (raw[field] === undefined) continue;
        if (field === 'exception') scrubExceptions(raw.exception, walk);
        else raw[field] = walk(raw[field], field, 0);
      }
      if (dropIp && isObject(raw.sdk) && isObject(raw.sdk.settings)) raw.sdk.settings.infer_ip = 'never';
      if (count > notes.length) notes.push({ type: 'scrubbed', path: `${count - notes.length} more`, rule: 'more' });
      return notes;
    },
  };
}

/** Exceptions: their value (the message), their frames' local variables and source lines, not the code's names. */
function scrubExceptions(exception: unknown, walk: (value: unknown, path: string, depth: number) => unknown): void {
  const values = Array.isArray(exception) ? exception : isObject(exception) && Array.isArray(exception.values) ? exception.values : [];
  values.forEach((value, i) => {
    if (!isObject(value)) return;
    if (typeof value.value === 'string') value.value = walk(value.value, `exception[${i}].value`, 0);
    const frames = isObject(value.stacktrace) && Array.isArray(value.stacktrace.frames) ? value.stacktrace.frames : [];
    frames.forEach((frame, f) => {
      if (!isObject(frame)) return;
      if (isObject(frame.vars)) frame.vars = walk(frame.vars, `exception[${i}].frames[${f}].vars`, 1);
      // Source lines sent as context may hold a literal card number or credential.
      for (const field of ['pre_context', 'context_line', 'post_context']) {
        if (frame[field] !== undefined) frame[field] = walk(frame[field], `exception[${i}].frames[${f}].${field}`, 1);
      }
    });
  });
}

/**
 * A project's regular expression, checked before it is saved: it must compile, stay short, and
 * have no quantified group that itself repeats (`(a+)+`), the shape of catastrophic backtracking.
 */
export function unsafePatternReason(pattern: string): string | null {
  if (pattern.length > 200) return 'is longer than 200 characters';
  try {
    new RegExp(pattern, 'g');
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  if (/\([^)]*[+*}][^)]*\)\s*[+*{]/.test(pattern)) return 'repeats a group that itself repeats (catastrophic backtracking)';
  if (/\\[1-9]/.test(pattern)) return 'uses a back-reference';
  if (new RegExp(pattern).test('')) return 'matches the empty string';
  return null;
}
