/**
 * The trace filter string of seed 004 (MLflow's search_traces grammar), parsed into the shared
 * SearchExpr AST. See docs/traces.md for the grammar; in short:
 *
 *   filter     := or
 *   or         := and (OR and)*                         -- OR is our extension
 *   and        := unary (AND unary)*
 *   unary      := NOT unary | '(' or ')' | comparison
 *   comparison := field (= | != | <> | > | >= | < | <=) value
 *               | field [NOT] (LIKE | ILIKE) string
 *               | field [NOT] IN '(' value (, value)* ')'
 *               | field IS [NOT] NULL                   -- extension: the key is (not) present
 *
 * Fields: tags.x / tag.x, metadata.x, status / trace.status, timestamp_ms, execution_time_ms,
 * name / trace.name, span_count, trace_id, span.name, span.type, span.status,
 * span.attributes.x. Dotted keys go in backticks: tags.`service.name`.
 */
import { and, QuerySyntaxError, type SearchExpr, type SearchField, type SearchOperator, type SearchPredicate, type SearchValue } from './ast.js';
import { scanTraceFilter, type TraceToken } from './trace-filter-scanner.js';

export const MAX_FILTER_LENGTH = 4000;
const MAX_DEPTH = 40;
const MAX_LIST = 1000;

type FieldKind = 'number' | 'string' | 'status' | 'spanStatus';
interface ResolvedField {
  field: SearchField;
  kind: FieldKind;
  /** Keyed fields (tags, metadata, span attributes) may be absent: != and NOT IN need the key present. */
  keyed: boolean;
}

const ATTRIBUTES: Record<string, { name: string; kind: FieldKind }> = {
  status: { name: 'status', kind: 'status' },
  'trace.status': { name: 'status', kind: 'status' },
  'attributes.status': { name: 'status', kind: 'status' },
  timestamp_ms: { name: 'timestamp_ms', kind: 'number' },
  'trace.timestamp_ms': { name: 'timestamp_ms', kind: 'number' },
  'attributes.timestamp_ms': { name: 'timestamp_ms', kind: 'number' },
  timestamp: { name: 'timestamp_ms', kind: 'number' },
  'trace.timestamp': { name: 'timestamp_ms', kind: 'number' },
  execution_time_ms: { name: 'execution_time_ms', kind: 'number' },
  'trace.execution_time_ms': { name: 'execution_time_ms', kind: 'number' },
  'attributes.execution_time_ms': { name: 'execution_time_ms', kind: 'number' },
  name: { name: 'name', kind: 'string' },
  'trace.name': { name: 'name', kind: 'string' },
  'attributes.name': { name: 'name', kind: 'string' },
  span_count: { name: 'span_count', kind: 'number' },
  'trace.span_count': { name: 'span_count', kind: 'number' },
  trace_id: { name: 'trace_id', kind: 'string' },
  'trace.trace_id': { name: 'trace_id', kind: 'string' },
  'attributes.trace_id': { name: 'trace_id', kind: 'string' },
  request_id: { name: 'trace_id', kind: 'string' },
  'attributes.request_id': { name: 'trace_id', kind: 'string' },
  'trace.request_id': { name: 'trace_id', kind: 'string' },
  'span.name': { name: 'span.name', kind: 'string' },
  'span.type': { name: 'span.type', kind: 'string' },
  'span.status': { name: 'span.status', kind: 'spanStatus' },
};
/** MLflow's IN_PROGRESS is accepted and matches nothing: a trace is stored as its spans finish. */
const TRACE_STATUSES = ['OK', 'ERROR', 'UNSET', 'IN_PROGRESS'];
const SPAN_STATUSES = ['ok', 'error', 'unset'];
export const TRACE_FIELDS = [
  'tags.<key>', 'metadata.<key>', 'status', 'timestamp_ms', 'execution_time_ms', 'name', 'span_count', 'trace_id',
  'span.name', 'span.type', 'span.status', 'span.attributes.<key>',
];

function resolveField(token: Extract<TraceToken, { kind: 'field' }>): ResolvedField {
  const [head, ...rest] = token.parts;
  const lower = head!.toLowerCase();
  const key = rest.join('.');
  if (lower === 'tags' || lower === 'tag') {
    if (!key) throw new QuerySyntaxError(`"${head}" needs a key, like ${head}.environment`, token.position);
    return { field: { type: 'tag', key }, kind: 'string', keyed: true };
  }
  if (lower === 'metadata' || lower === 'request_metadata') {
    if (!key) throw new QuerySyntaxError(`"${head}" needs a key, like metadata.user_id`, token.position);
    return { field: { type: 'attribute', name: `metadata.${key}` }, kind: 'string', keyed: true };
  }
  if (lower === 'span' && rest[0]?.toLowerCase() === 'attributes' || lower === 'span' && rest[0]?.toLowerCase() === 'attribute') {
    const attr = rest.slice(1).join('.');
    if (!attr) throw new QuerySyntaxError('"span.attributes" needs a key, like span.attributes.`http.method`', token.position);
    return { field: { type: 'attribute', name: `span.attributes.${attr}` }, kind: 'string', keyed: true };
  }
  const known = ATTRIBUTES[[lower, ...rest.map((p) => p.toLowerCase())].join('.')];
  if (!known) {
    throw new QuerySyntaxError(`unknown field "${token.parts.join('.')}" (use ${TRACE_FIELDS.join(', ')})`, token.position);
  }
  return { field: { type: 'attribute', name: known.name }, kind: known.kind, keyed: false };
}

const predicate = (position: number, field: SearchField, op: SearchOperator, values: SearchValue[]): SearchPredicate => ({
  kind: 'predicate', field, op, values, position,
});

/** Parses a filter string; an empty or blank one is null (every trace). */
export function parseTraceFilter(input: string): SearchExpr | null {
  if (input.length > MAX_FILTER_LENGTH) throw new QuerySyntaxError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  const tokens = scanTraceFilter(input);
  if (tokens.length === 0) return null;
  let index = 0;
  const peek = () => tokens[index];
  const end = input.length;
  const isKeyword = (t: TraceToken | undefined, word: string) => t?.kind === 'keyword' && t.word === word;
  const describe = (t: TraceToken | undefined) =>
    !t ? 'the end of the filter' : t.kind === 'keyword' ? t.word : t.kind === 'op' ? `"${t.op}"` : t.kind === 'field' ? `"${t.parts.join('.')}"` : t.kind === 'string' ? `'${t.value}'` : t.kind === 'number' ? String(t.value) : `"${t.kind === 'open' ? '(' : t.kind === 'close' ? ')' : ','}"`;
  const fail = (message: string, t = peek()): never => {
    throw new QuerySyntaxError(`${message}, found ${describe(t)}`, t?.position ?? end);
  };

  function orExpr(depth: number): SearchExpr {
    const items = [andExpr(depth)];
    while (isKeyword(peek(), 'OR')) {
      index++;
      items.push(andExpr(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  function andExpr(depth: number): SearchExpr {
    const items = [unary(depth)];
    while (isKeyword(peek(), 'AND')) {
      index++;
      items.push(unary(depth));
    }
    return and(items)!;
  }

  function unary(depth: number): SearchExpr {
    const token = peek();
    if (depth > MAX_DEPTH) throw new QuerySyntaxError(`the filter nests deeper than ${MAX_DEPTH} levels`, token?.position ?? end);
    if (isKeyword(token, 'NOT')) {
      index++;
      return { kind: 'not', item: unary(depth + 1) };
    }
    if (token?.kind === 'open') {
      index++;
      const inner = orExpr(depth + 1);
      if (peek()?.kind !== 'close') fail('expected ")"');
      index++;
      return inner;
    }
    if (token?.kind !== 'field') return fail('expected a field such as tags.environment, status or execution_time_ms');
    index++;
    return comparison(token);
  }

  function value(field: ResolvedField): SearchValue {
    const t = peek();
    if (t?.kind !== 'string' && t?.kind !== 'number') return fail("expected a value ('text' or a number)");
    index++;
    if (field.kind === 'number') {
      const n = t.kind === 'number' ? t.value : Number(t.value);
      if (t.kind === 'string' && (t.value.trim() === '' || !Number.isFinite(n))) {
        throw new QuerySyntaxError(`expected a number, found '${t.value}'`, t.position);
      }
      return n;
    }
    const text = t.kind === 'number' ? String(t.value) : t.value;
    if (field.kind === 'status' || field.kind === 'spanStatus') {
      const allowed = field.kind === 'status' ? TRACE_STATUSES : SPAN_STATUSES;
      const normal = field.kind === 'status' ? text.toUpperCase() : text.toLowerCase();
      if (!allowed.includes(normal)) throw new QuerySyntaxError(`unknown status '${text}' (use ${allowed.join(', ')})`, t.position);
      return normal;
    }
    if (t.kind !== 'string') throw new QuerySyntaxError(`expected a quoted string, like '${text}'`, t.position);
    return text;
  }

  /** `NOT x` on a keyed field still requires the key: tags.env NOT IN ('a') skips untagged traces. */
  function negate(field: ResolvedField, position: number, inner: SearchExpr): SearchExpr {
    const not: SearchExpr = { kind: 'not', item: inner };
    return field.keyed ? { kind: 'and', items: [predicate(position, field.field, 'exists', []), not] } : not;
  }

  function comparison(token: Extract<TraceToken, { kind: 'field' }>): SearchExpr {
    const field = resolveField(token);
    const position = token.position;
    const t = peek();
    if (t?.kind === 'op') {
      index++;
      if (field.kind !== 'number' && t.op !== '=' && t.op !== '!=') {
        throw new QuerySyntaxError(`"${token.parts.join('.')}" is text: compare it with =, !=, LIKE, ILIKE or IN, not ${t.op}`, t.position);
      }
      return predicate(position, field.field, t.op, [value(field)]);
    }
    if (isKeyword(t, 'IS')) {
      index++;
      const not = isKeyword(peek(), 'NOT');
      if (not) index++;
      if (!isKeyword(peek(), 'NULL')) fail('expected NULL after IS');
      index++;
      if (!field.keyed) throw new QuerySyntaxError(`"${token.parts.join('.')}" is always present; IS NULL applies to tags, metadata and span attributes`, position);
      const exists = predicate(position, field.field, 'exists', []);
      return not ? exists : { kind: 'not', item: exists };
    }
    const not = isKeyword(t, 'NOT');
    if (not) index++;
    const next = peek();
    if (isKeyword(next, 'LIKE') || isKeyword(next, 'ILIKE')) {
      index++;
      if (field.kind === 'number') throw new QuerySyntaxError(`"${token.parts.join('.')}" is a number: LIKE applies to text`, next!.position);
      const pattern = peek();
      if (pattern?.kind !== 'string') fail('expected a quoted pattern after LIKE');
      index++;
      const op = (next as { word: string }).word === 'LIKE' ? 'like' : 'ilike';
      const expr = predicate(position, field.field, op, [(pattern as { value: string }).value]);
      return not ? negate(field, position, expr) : expr;
    }
    if (isKeyword(next, 'IN')) {
      index++;
      if (peek()?.kind !== 'open') fail('expected "(" after IN');
      index++;
      const values: SearchValue[] = [value(field)];
      while (peek()?.kind === 'comma') {
        index++;
        if (values.length >= MAX_LIST) throw new QuerySyntaxError(`IN takes at most ${MAX_LIST} values`, peek()?.position ?? end);
        values.push(value(field));
      }
      if (peek()?.kind !== 'close') fail('expected "," or ")" in the IN list');
      index++;
      const expr = predicate(position, field.field, 'in', values);
      return not ? negate(field, position, expr) : expr;
    }
    return fail(not ? 'expected IN, LIKE or ILIKE after NOT' : 'expected an operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN)', next);
  }

  const expr = orExpr(0);
  if (index < tokens.length) fail('expected AND, OR or the end of the filter');
  return expr;
}

export type TraceOrder = { field: 'timestamp_ms' | 'execution_time_ms' | 'name' | 'status' | 'span_count'; direction: 'asc' | 'desc' };
const ORDER_FIELDS: Record<string, TraceOrder['field']> = {
  timestamp_ms: 'timestamp_ms', 'trace.timestamp_ms': 'timestamp_ms', 'attributes.timestamp_ms': 'timestamp_ms', timestamp: 'timestamp_ms', 'trace.timestamp': 'timestamp_ms',
  execution_time_ms: 'execution_time_ms', 'trace.execution_time_ms': 'execution_time_ms', 'attributes.execution_time_ms': 'execution_time_ms',
  name: 'name', 'trace.name': 'name', status: 'status', 'trace.status': 'status', span_count: 'span_count',
};

/** `timestamp_ms DESC` (the default), `execution_time_ms`, `name ASC`, ... */
export function parseTraceOrder(input: string | undefined): TraceOrder {
  if (input === undefined || input.trim() === '') return { field: 'timestamp_ms', direction: 'desc' };
  const match = /^\s*([A-Za-z_.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(input);
  const field = match ? ORDER_FIELDS[match[1]!.toLowerCase()] : undefined;
  if (!match || !field) {
    throw new QuerySyntaxError(`order_by must be a field and an optional ASC or DESC, like "timestamp_ms DESC"; fields: ${Object.keys(ORDER_FIELDS).filter((k) => !k.includes('.')).join(', ')}`, 0);
  }
  return { field, direction: (match[2] ?? 'ASC').toLowerCase() as 'asc' | 'desc' };
}
