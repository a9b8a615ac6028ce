/**
 * Tokens of the trace filter string (seed 004): identifiers joined by dots, `backticked` or
 * "double-quoted" key parts, 'string' values, numbers, comparison operators, parentheses, commas
 * and the keywords AND, OR, NOT, IN, LIKE, ILIKE, IS, NULL (any case).
 */
import { QuerySyntaxError } from './ast.js';

export type TraceToken =
  | { kind: 'field'; parts: string[]; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; position: number }
  | { kind: 'op'; op: '=' | '!=' | '>' | '>=' | '<' | '<='; position: number }
  | { kind: 'keyword'; word: Keyword; position: number }
  | { kind: 'open' | 'close' | 'comma'; position: number };

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'LIKE' | 'ILIKE' | 'IS' | 'NULL';
const KEYWORDS = new Set<string>(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL']);
const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

export function scanTraceFilter(input: string): TraceToken[] {
  const tokens: TraceToken[] = [];
  let pos = 0;

  /** 'text' or "text" or `text`; the quote doubled or escaped with a backslash stands for itself. */
  function quoted(quote: string): string {
    const start = pos++;
    let out = '';
    while (pos < input.length) {
      const c = input[pos]!;
      if (c === '\\' && pos + 1 < input.length) {
        out += input[pos + 1];
        pos += 2;
      } else if (c === quote) {
        if (input[pos + 1] === quote) {
          out += quote;
          pos += 2;
          continue;
        }
        pos++;
        return out;
      } else {
        out += c;
        pos++;
      }
    }
    throw new QuerySyntaxError(`unterminated ${quote === '`' ? 'backtick key' : 'string'}: missing closing ${quote}`, start);
  }

  function keyPart(): string {
    const c = input[pos] ?? '';
    if (c === '`' || c === '"') {
      const start = pos;
      const value = quoted(c);
      if (value === '') throw new QuerySyntaxError('empty key', start);
      return value;
    }
    if (!IDENT_START.test(c) && !/\d/.test(c)) throw new QuerySyntaxError(`expected a key after "."`, pos);
    const start = pos;
    while (pos < input.length && (IDENT.test(input[pos]!) || input[pos] === '-' || input[pos] === ':')) pos++;
    return input.slice(start, pos);
  }

  while (pos < input.length) {
    const c = input[pos]!;
    const start = pos;
    if (/\s/.test(c)) {
      pos++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : 'comma', position: pos++ });
    } else if (c === "'") {
      tokens.push({ kind: 'string', value: quoted("'"), position: start });
    } else if (c === '"' && valuePosition(tokens)) {
      // Double quotes make a value after an operator and a key elsewhere (MLflow accepts both).
      tokens.push({ kind: 'string', value: quoted('"'), position: start });
    } else if (c === '`' || c === '"') {
      const parts = [keyPart()];
      while (input[pos] === '.') {
        pos++;
        parts.push(keyPart());
      }
      tokens.push({ kind: 'field', parts, position: start });
    } else if (/[=!<>]/.test(c)) {
      const two = input.slice(pos, pos + 2);
      if (two === '!=' || two === '<>') {
        tokens.push({ kind: 'op', op: '!=', position: start });
        pos += 2;
      } else if (two === '>=' || two === '<=' || two === '==') {
        tokens.push({ kind: 'op', op: two === '==' ? '=' : (two as '>=' | '<='), position: start });
        pos += 2;
      } else if (c === '!') {
        throw new QuerySyntaxError('"!" must be followed by "="', start);
      } else {
        tokens.push({ kind: 'op', op: c as '=' | '>' | '<', position: start });
        pos++;
      }
    } else if (/[\d.-]/.test(c) && NUMBER.test(input.slice(pos))) {
      const match = NUMBER.exec(input.slice(pos))![0];
      pos += match.length;
      tokens.push({ kind: 'number', value: Number(match), position: start });
    } else if (IDENT_START.test(c)) {
      const parts = [keyPart()];
      while (input[pos] === '.') {
        pos++;
        parts.push(keyPart());
      }
      const upper = parts[0]!.toUpperCase();
      if (parts.length === 1 && KEYWORDS.has(upper)) tokens.push({ kind: 'keyword', word: upper as Keyword, position: start });
      else tokens.push({ kind: 'field', parts, position: start });
    } else {
      throw new QuerySyntaxError(`unexpected character "${c}"`, start);
    }
  }
  return tokens;
}

function valuePosition(tokens: TraceToken[]): boolean {
  const prev = tokens.at(-1);
  if (!prev) return false;
  if (prev.kind === 'op' || prev.kind === 'comma') return true;
  if (prev.kind === 'keyword') return prev.word === 'LIKE' || prev.word === 'ILIKE';
  const before = tokens.at(-2);
  return prev.kind === 'open' && before?.kind === 'keyword' && before.word === 'IN';
}
