/**
 * The issue and event search language: Sentry's `key:value` syntax with AND / OR and parentheses
 * everywhere. See docs/search.md for the grammar. Produces the shared SearchExpr AST.
 */
import { and, QuerySyntaxError, type SearchExpr, type SearchPredicate } from './ast.js';
import { scanSearch, type Token } from './search-scanner.js';

const STATUS_VALUES = new Set(['unresolved', 'resolved', 'ignored', 'regressed']);
const ASSIGNMENT_VALUES = new Set(['assigned', 'unassigned']);
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,32}$/;
const NUMBER_ATTRIBUTES: Record<string, string> = { times_seen: 'times_seen', timesSeen: 'times_seen', user_count: 'user_count', users: 'user_count' };
const DATE_ATTRIBUTES: Record<string, string> = {
  lastSeen: 'last_seen', last_seen: 'last_seen', firstSeen: 'first_seen', first_seen: 'first_seen',
  timestamp: 'timestamp', 'event.timestamp': 'timestamp',
};
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const COMPARISON = /^(>=|<=|>|<|=)?(.*)$/;

function predicate(position: number, field: SearchPredicate['field'], op: SearchPredicate['op'], values: SearchPredicate['values']): SearchPredicate {
  return { kind: 'predicate', field, op, values, position };
}

function parseDate(text: string, position: number): number {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(/^\d{4}-\d\d-\d\d$/.test(withZone) ? `${withZone}T00:00:00Z` : withZone);
  if (!Number.isFinite(ms)) throw new QuerySyntaxError(`"${text}" is not a date (use 2026-11-01, 2026-11-01T10:00:00 or -24h)`, position);
  return ms;
}

function dateFilter(name: string, value: string, position: number, now: number): SearchExpr {
  const field = { type: 'attribute', name } as const;
  const relative = /^([+-])(\d+)([smhdw])$/.exec(value);
  if (relative) {
    const boundary = now - Number(relative[2]) * UNIT_MS[relative[3]!]!;
    // -24h: within the last 24 hours; +24h: longer ago than 24 hours (Sentry's meaning).
    return predicate(position, field, relative[1] === '-' ? '>=' : '<', [boundary]);
  }
  const [, op, rest] = COMPARISON.exec(value)!;
  const ms = parseDate(rest!, position);
  if (op && op !== '=') return predicate(position, field, op as SearchPredicate['op'], [ms]);
  const end = /^\d{4}-\d\d-\d\d$/.test(rest!) ? ms + UNIT_MS.d! : ms + 1000;
  return { kind: 'and', items: [predicate(position, field, '>=', [ms]), predicate(position, field, '<', [end])] };
}

function filterTerm(token: Extract<Token, { kind: 'filter' }>, now: number): SearchExpr {
  const { key, position } = token;
  const values = token.values.map((v) => v.value);
  if (key === 'is' && values.every((v) => ASSIGNMENT_VALUES.has(v))) {
    // is:unassigned / is:assigned; a list of both matches every issue, as Sentry's does.
    const none = predicate(position, { type: 'attribute', name: 'assigned' }, 'in', ['none']);
    if (values.includes('assigned') && values.includes('unassigned')) return { kind: 'or', items: [none, { kind: 'not', item: none }] };
    return values[0] === 'unassigned' ? none : { kind: 'not', item: none };
  }
  if (key === 'assigned' || key === 'assigned_to') {
    // me and e-mails are turned into user ids by the API, which knows who asks (api/assignee-search.ts).
    return predicate(position, { type: 'attribute', name: 'assigned' }, 'in', values);
  }
  if (key === 'is') {
    for (const value of values) {
      if (!STATUS_VALUES.has(value)) throw new QuerySyntaxError(`unknown status "${value}" (use unresolved, resolved, ignored, regressed, assigned or unassigned)`, position);
    }
    return predicate(position, { type: 'attribute', name: 'status' }, 'in', values);
  }
  if (key === 'has') {
    const ors = values.map((tag) => {
      if (!TAG_KEY.test(tag)) throw new QuerySyntaxError(`"${tag}" is not a valid tag key`, position);
      return predicate(position, { type: 'tag', key: tag }, 'exists', []);
    });
    return ors.length === 1 ? ors[0]! : { kind: 'or', items: ors };
  }
  if (key === 'message') return predicate(position, { type: 'attribute', name: 'text' }, 'contains', values);
  if (NUMBER_ATTRIBUTES[key] && !token.list) {
    const [, op, rest] = COMPARISON.exec(values[0]!)!;
    const number = Number(rest);
    if (rest === '' || !Number.isFinite(number)) throw new QuerySyntaxError(`${key} needs a number, like ${key}:>100`, position);
    return predicate(position, { type: 'attribute', name: NUMBER_ATTRIBUTES[key] }, (op ?? '=') as SearchPredicate['op'], [number]);
  }
  if (DATE_ATTRIBUTES[key] && !token.list) return dateFilter(DATE_ATTRIBUTES[key], values[0]!, position, now);
  if (!TAG_KEY.test(key)) throw new QuerySyntaxError(`"${key}" is not a valid tag key`, position);
  const field = { type: 'tag', key } as const;
  const isPattern = (v: { value: string; quoted: boolean }) => !v.quoted && v.value.includes('*');
  const exact = token.values.filter((v) => !isPattern(v)).map((v) => v.value);
  const patterns = token.values.filter(isPattern).map((v) => v.value);
  const parts: SearchExpr[] = [];
  if (exact.length) parts.push(predicate(position, field, 'in', exact));
  for (const pattern of patterns) parts.push(predicate(position, field, 'glob', [pattern]));
  return parts.length === 1 ? parts[0]! : { kind: 'or', items: parts };
}

/** Parses a search into an expression, or null for an empty search. */
export function parseSearch(query: string, now = Date.now()): SearchExpr | null {
  if (query.length > 4000) throw new QuerySyntaxError('the query is longer than 4000 characters', 4000);
  const tokens = scanSearch(query);
  let index = 0;
  const peek = () => tokens[index];

  function orExpr(): SearchExpr | null {
    const items: SearchExpr[] = [];
    let first = andExpr();
    if (first) items.push(first);
    while (peek()?.kind === 'or') {
      const orToken = tokens[index++]!;
      const next = andExpr();
      if (!first || !next) throw new QuerySyntaxError('OR needs a term on both sides', orToken.position);
      items.push(next);
      first = next;
    }
    return items.length <= 1 ? (items[0] ?? null) : { kind: 'or', items };
  }

  function andExpr(): SearchExpr | null {
    const items: SearchExpr[] = [];
    for (;;) {
      const token = peek();
      if (!token || token.kind === 'or' || token.kind === 'close') break;
      if (token.kind === 'and') {
        index++;
        if (items.length === 0) throw new QuerySyntaxError('AND needs a term on both sides', token.position);
        const after = peek();
        if (!after || after.kind === 'or' || after.kind === 'close' || after.kind === 'and') {
          throw new QuerySyntaxError('AND needs a term on both sides', token.position);
        }
        continue;
      }
      items.push(unary());
    }
    return and(items);
  }

  function unary(): SearchExpr {
    const token = tokens[index++]!;
    if (token.kind === 'open') {
      const inner = orExpr();
      const close = tokens[index++];
      if (!close || close.kind !== 'close') throw new QuerySyntaxError('missing ")"', token.position);
      if (!inner) throw new QuerySyntaxError('empty parentheses', token.position);
      return inner;
    }
    if (token.kind === 'filter') {
      const term = filterTerm(token, now);
      return token.negate ? { kind: 'not', item: term } : term;
    }
    if (token.kind === 'text') {
      const term = predicate(token.position, { type: 'attribute', name: 'text' }, 'contains', [token.text]);
      return token.negate ? { kind: 'not', item: term } : term;
    }
    throw new QuerySyntaxError(`unexpected "${token.kind === 'close' ? ')' : token.kind.toUpperCase()}"`, token.position);
  }

  const expr = orExpr();
  const rest = peek();
  if (rest) throw new QuerySyntaxError('unexpected ")"', rest.position);
  return expr;
}
