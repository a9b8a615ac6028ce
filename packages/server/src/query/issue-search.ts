/**
 * The issue search syntax (Sentry's `key:value`): tag filters, `is:` status, `environment:`,
 * `release:` with `*` wildcards, `!` negation, quoted values, and free text on the title. Terms are
 * ANDed. The result is a list of conditions that each store backend compiles to parameterised SQL.
 */
import { HttpError } from '../errors.js';
import type { IssueCondition } from '../store/types.js';

const STATUS_VALUES = new Set(['unresolved', 'resolved', 'ignored', 'regressed']);

interface Token {
  text: string;
  position: number;
}

function invalid(message: string, position: number): HttpError {
  return new HttpError(400, 'invalid_query', `${message} (at character ${position + 1})`);
}

/** Splits on whitespace outside double quotes; `\"` and `\\` escape inside quotes. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length) break;
    const start = i;
    let textValue = '';
    while (i < query.length && !/\s/.test(query[i]!)) {
      if (query[i] === '"') {
        const quoteAt = i++;
        let closed = false;
        while (i < query.length) {
          const c = query[i]!;
          if (c === '\\' && i + 1 < query.length) {
            textValue += query[i + 1];
            i += 2;
          } else if (c === '"') {
            closed = true;
            i++;
            break;
          } else {
            textValue += c;
            i++;
          }
        }
        if (!closed) throw invalid('unterminated quoted value', quoteAt);
      } else {
        textValue += query[i++];
      }
    }
    tokens.push({ text: textValue, position: start });
  }
  return tokens;
}

const TAG_KEY = /^[A-Za-z0-9_.:-]{1,32}$/;

export function parseIssueSearch(query: string): IssueCondition[] {
  if (query.length > 2000) throw invalid('query is longer than 2000 characters', 2000);
  const conditions: IssueCondition[] = [];
  const words: string[] = [];
  for (const token of tokenize(query)) {
    const raw = token.text;
    const negate = raw.startsWith('!');
    const body = negate ? raw.slice(1) : raw;
    const colon = body.indexOf(':');
    if (colon <= 0) {
      if (negate) throw invalid('"!" must be followed by key:value', token.position);
      words.push(raw);
      continue;
    }
    const key = body.slice(0, colon);
    const value = body.slice(colon + 1);
    if (value === '') throw invalid(`"${key}:" needs a value`, token.position);
    if (key === 'is') {
      if (!STATUS_VALUES.has(value)) throw invalid(`unknown status "${value}" (use unresolved, resolved, ignored or regressed)`, token.position);
      conditions.push({ kind: 'status', status: value as 'unresolved', negate });
      continue;
    }
    if (!TAG_KEY.test(key)) throw invalid(`"${key}" is not a valid tag key`, token.position);
    const wildcard = value.includes('*');
    conditions.push({ kind: 'tag', key, values: [value], wildcard, negate });
  }
  if (words.length) conditions.push({ kind: 'text', text: words.join(' ') });
  return conditions;
}
