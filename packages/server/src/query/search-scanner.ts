/**
 * Splits an issue/event search into tokens: parentheses, AND / OR, and terms. A term is free text
 * (a word or a "quoted phrase") or `[!]key:value` where the value is bare, "quoted" or a
 * [list, "of values"]. Quotes escape with backslashes.
 */
import { QuerySyntaxError } from './ast.js';

export type Token =
  | { kind: 'open' | 'close' | 'and' | 'or'; position: number }
  | { kind: 'text'; text: string; quoted: boolean; negate: boolean; position: number }
  | { kind: 'filter'; key: string; values: FilterValue[]; list: boolean; negate: boolean; position: number };

/** A quoted value is always literal; a bare one may hold `*` wildcards or comparison operators. */
export interface FilterValue {
  value: string;
  quoted: boolean;
}

const WHITESPACE = /\s/;

export function scanSearch(query: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  /** Positions of the groups' open parentheses not yet closed. */
  const groups: number[] = [];
  const at = (i = pos) => query[i] ?? '';

  function quoted(): string {
    const start = pos++;
    let out = '';
    while (pos < query.length) {
      const c = at();
      if (c === '\\' && pos + 1 < query.length) {
        out += at(pos + 1);
        pos += 2;
      } else if (c === '"') {
        pos++;
        return out;
      } else {
        out += c;
        pos++;
      }
    }
    throw new QuerySyntaxError('unterminated quoted value', start);
  }

  function bare(stop: (c: string) => boolean): string {
    const start = pos;
    while (pos < query.length && !stop(at())) pos++;
    return query.slice(start, pos);
  }

  /**
   * A bare value or word. It may hold balanced parentheses (`function:handle(event)`); a ")" it did
   * not open closes the enclosing group. An unbalanced one is an error at its position rather than
   * part of the value, so `tier:(enterprise` is not silently a search for "(enterprise".
   */
  function bareValue(): string {
    const start = pos;
    const opens: number[] = [];
    for (; pos < query.length; pos++) {
      const c = at();
      if (WHITESPACE.test(c)) break;
      if (c === '(') opens.push(pos);
      else if (c === ')') {
        if (opens.length) opens.pop();
        else if (groups.length) break;
        else throw new QuerySyntaxError('unmatched ")"', pos);
      }
    }
    if (opens.length) throw new QuerySyntaxError('missing ")" for this "(" (quote a value that holds one)', opens[0]!);
    return query.slice(start, pos);
  }

  function list(): FilterValue[] {
    const start = pos++;
    const values: FilterValue[] = [];
    for (;;) {
      while (WHITESPACE.test(at())) pos++;
      if (pos >= query.length) throw new QuerySyntaxError('unterminated list: missing "]"', start);
      const isQuoted = at() === '"';
      const value = isQuoted ? quoted() : bare((c) => c === ',' || c === ']').trim();
      if (value === '' && !isQuoted) throw new QuerySyntaxError('empty value in list', pos);
      values.push({ value, quoted: isQuoted });
      while (WHITESPACE.test(at())) pos++;
      if (pos >= query.length) throw new QuerySyntaxError('unterminated list: missing "]"', start);
      if (at() === ',') pos++;
      else if (at() === ']') {
        pos++;
        return values;
      } else throw new QuerySyntaxError('expected "," or "]" in list', pos);
    }
  }

  while (pos < query.length) {
    const c = at();
    if (WHITESPACE.test(c)) {
      pos++;
      continue;
    }
    const start = pos;
    if (c === '(') {
      groups.push(pos);
      tokens.push({ kind: 'open', position: pos++ });
      continue;
    }
    if (c === ')') {
      if (groups.length === 0) throw new QuerySyntaxError('unmatched ")"', pos);
      groups.pop();
      tokens.push({ kind: 'close', position: pos++ });
      continue;
    }
    const negate = c === '!';
    if (negate) pos++;
    if (at() === '"') {
      tokens.push({ kind: 'text', text: quoted(), quoted: true, negate, position: start });
      continue;
    }
    const head = bare((ch) => ch === ':' || ch === '' || WHITESPACE.test(ch) || ch === '"' || ch === '(' || ch === ')');
    if (at() === ':' && head !== '') {
      pos++;
      if (at() === '[') {
        tokens.push({ kind: 'filter', key: head, values: list(), list: true, negate, position: start });
      } else if (at() === '"') {
        tokens.push({ kind: 'filter', key: head, values: [{ value: quoted(), quoted: true }], list: false, negate, position: start });
      } else {
        const value = bareValue();
        if (value === '') throw new QuerySyntaxError(`"${head}:" needs a value`, start);
        tokens.push({ kind: 'filter', key: head, values: [{ value, quoted: false }], list: false, negate, position: start });
      }
      continue;
    }
    const word = head + bareValue();
    if (word === '') throw new QuerySyntaxError(negate ? '"!" must be followed by a term' : `unexpected "${at()}"`, start);
    if (!negate && (word === 'AND' || word === 'OR')) tokens.push({ kind: word === 'AND' ? 'and' : 'or', position: start });
    else tokens.push({ kind: 'text', text: word, quoted: false, negate, position: start });
  }
  if (groups.length) throw new QuerySyntaxError('missing ")"', query.length - 1);
  return tokens;
}
