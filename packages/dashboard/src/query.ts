/**
 * Small helpers over the issue search text (`tier:enterprise !env:staging "free text"`): the
 * dashboard only needs to append a token and to know which token the caret is in, for autocomplete.
 * Parsing for real happens on the server.
 */

/** `key:value`, quoting the value when it has spaces, quotes or parentheses. */
export function filterToken(key: string, value: string, negate = false): string {
  const needsQuotes = value === '' || /[\s"()]/.test(value);
  const v = needsQuotes ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
  return `${negate ? '!' : ''}${key}:${v}`;
}

/** Appends a token unless the query already has it. */
export function appendToken(query: string, token: string): string {
  const trimmed = query.trim();
  if (tokens(trimmed).some((t) => t.text === token)) return trimmed;
  return trimmed ? `${trimmed} ${token}` : token;
}

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Splits on whitespace outside double quotes. */
export function tokens(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length) break;
    const start = i;
    let quoted = false;
    while (i < query.length && (quoted || !/\s/.test(query[i]!))) {
      if (query[i] === '\\' && quoted) i++;
      else if (query[i] === '"') quoted = !quoted;
      i++;
    }
    out.push({ text: query.slice(start, i), start, end: i });
  }
  return out;
}

export interface CaretToken {
  start: number;
  end: number;
  negate: boolean;
  /** Set once the token has a colon. */
  key: string | null;
  /** The text typed so far: the key prefix, or the value prefix after the colon. */
  prefix: string;
}

/** The token the caret is at (or an empty one when the caret is between tokens). */
export function tokenAt(query: string, caret: number): CaretToken {
  const token = tokens(query).find((t) => caret >= t.start && caret <= t.end);
  if (!token) return { start: caret, end: caret, negate: false, key: null, prefix: '' };
  let text = token.text;
  const negate = text.startsWith('!');
  if (negate) text = text.slice(1);
  const colon = text.indexOf(':');
  if (colon < 0) return { start: token.start, end: token.end, negate, key: null, prefix: text };
  const value = text.slice(colon + 1).replace(/^"/, '').replace(/"$/, '');
  return { start: token.start, end: token.end, negate, key: text.slice(0, colon), prefix: value };
}

export function replaceToken(query: string, at: CaretToken, replacement: string): { query: string; caret: number } {
  const head = query.slice(0, at.start) + replacement + (replacement.endsWith(':') ? '' : ' ');
  return { query: head + query.slice(at.end).trimStart(), caret: head.length };
}
