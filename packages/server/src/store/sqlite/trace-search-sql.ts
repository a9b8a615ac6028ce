/**
 * Compiles the search AST for traces (the table aliased `t`) to a parameterised SQLite condition.
 * Field names map to fixed SQL; every value, key and pattern is a bound parameter.
 *
 * LIKE is case-sensitive (as in MLflow and PostgreSQL) while SQLite's LIKE is not, so LIKE patterns
 * become GLOB patterns; ILIKE uses SQLite's LIKE.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { QuerySyntaxError, type SearchExpr, type SearchPredicate } from '../../query/ast.js';
import type { TracePlan } from './trace-plan.js';

type Sql = RawBuilder<unknown>;

/** SQL LIKE pattern (`%`, `_`, backslash escapes) to a GLOB pattern with GLOB's specials quoted. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      out += next === '*' || next === '?' || next === '[' ? `[${next}]` : next;
    } else if (c === '%') out += '*';
    else if (c === '_') out += '?';
    else if (c === '*' || c === '?' || c === '[') out += `[${c}]`;
    else out += c;
  }
  return out;
}

const NUMBER_COLUMNS: Record<string, Sql> = {
  timestamp_ms: sql`t.timestamp_ms`,
  execution_time_ms: sql`t.execution_time_ms`,
  span_count: sql`t.span_count`,
};
/** The same columns behind SQLite's no-op unary plus, which keeps the planner off their index. */
const CHECKED_COLUMNS: Record<string, Sql> = {
  timestamp_ms: sql`+t.timestamp_ms`,
  execution_time_ms: sql`+t.execution_time_ms`,
  span_count: sql`t.span_count`,
};
const COMPARISONS: Record<string, Sql> = { '=': sql`=`, '!=': sql`!=`, '>': sql`>`, '>=': sql`>=`, '<': sql`<`, '<=': sql`<=` };

/** `value <op> ?` for a text column or expression. */
function textCondition(column: Sql, p: SearchPredicate): Sql {
  const values = p.values.map(String);
  switch (p.op) {
    case '=':
    case '!=':
      return sql`${column} ${COMPARISONS[p.op]!} ${values[0]}`;
    case 'in':
      return sql`${column} IN (${sql.join(values)})`;
    case 'like':
      return sql`${column} GLOB ${likeToGlob(values[0]!)}`;
    case 'ilike':
      return sql`${column} LIKE ${values[0]} ESCAPE '\\'`;
    case 'exists':
      return sql`1`;
    default:
      throw new QuerySyntaxError(`text cannot be compared with "${p.op}"`, p.position);
  }
}

/** A JSON path for one top-level key, quoted so dots inside the key stay part of it. */
const jsonPath = (key: string) => `$."${key.replace(/"/g, '')}"`;

export class TraceSearchCompiler {
  constructor(
    private readonly projectId: number,
    /** How indexed conditions run (trace-plan.ts); conditions not in it keep the default. */
    private readonly plan: TracePlan = new Map(),
  ) {}

  private checked(p: SearchPredicate): boolean {
    return this.plan.get(p) === 'check';
  }

  compile(expr: SearchExpr): RawBuilder<SqlBool> {
    return this.node(expr) as RawBuilder<SqlBool>;
  }

  private node(expr: SearchExpr): Sql {
    switch (expr.kind) {
      case 'and':
        return sql`(${sql.join(expr.items.map((i) => this.node(i)), sql` AND `)})`;
      case 'or':
        return sql`(${sql.join(expr.items.map((i) => this.node(i)), sql` OR `)})`;
      case 'not':
        return sql`(NOT ${this.node(expr.item)})`;
      case 'predicate':
        return expr.field.type === 'tag' ? this.keyed('trace_tags', expr.field.key, expr) : this.attribute(expr, expr.field.name);
    }
  }

  /** Tags and metadata: the trace has the key with a matching value. */
  private keyed(table: 'trace_tags' | 'trace_metadata', key: string, p: SearchPredicate): Sql {
    if (this.checked(p)) {
      return sql`EXISTS (SELECT 1 FROM ${sql.table(table)} k WHERE k.trace_row = t.row AND k.key = ${key} AND ${textCondition(sql.ref('k.value'), p)})`;
    }
    const rows = sql`SELECT trace_row FROM ${sql.table(table)} WHERE project_id = ${this.projectId} AND key = ${key}`;
    if (p.op === 'exists') return sql`t.row IN (${rows})`;
    return sql`t.row IN (${rows} AND ${textCondition(sql.ref('value'), p)})`;
  }

  private spanCondition(condition: Sql): Sql {
    return sql`EXISTS (SELECT 1 FROM spans s WHERE s.trace_row = t.row AND ${condition})`;
  }

  private attribute(p: SearchPredicate, name: string): Sql {
    if (name.startsWith('metadata.')) return this.keyed('trace_metadata', name.slice('metadata.'.length), p);
    if (name.startsWith('span.attributes.')) {
      const path = jsonPath(name.slice('span.attributes.'.length));
      if (p.op === 'exists') return this.spanCondition(sql`json_type(s.data, ${path}) IS NOT NULL`);
      return this.spanCondition(textCondition(sql`CAST(json_extract(s.data, ${path}) AS TEXT)`, p));
    }
    const numberColumn = (this.checked(p) ? CHECKED_COLUMNS : NUMBER_COLUMNS)[name];
    if (numberColumn) {
      if (p.op === 'in') return sql`${numberColumn} IN (${sql.join(p.values.map(Number))})`;
      const op = COMPARISONS[p.op];
      if (!op) throw new QuerySyntaxError(`"${name}" cannot be compared with "${p.op}"`, p.position);
      return sql`${numberColumn} ${op} ${Number(p.values[0])}`;
    }
    switch (name) {
      case 'status':
        return textCondition(this.checked(p) ? sql`+t.status` : sql`t.status`, p);
      case 'name':
        return textCondition(sql`coalesce(t.name, '')`, p);
      case 'trace_id': {
        const ids = p.values.map((v) => String(v).replace(/-/g, '').toLowerCase()).filter((v) => /^[0-9a-f]{32}$/.test(v));
        if (p.op !== '=' && p.op !== 'in' && p.op !== '!=') throw new QuerySyntaxError('trace_id is compared with =, != or IN', p.position);
        if (ids.length === 0) return p.op === '!=' ? sql`1` : sql`0`;
        const blobs = ids.map((id) => Buffer.from(id, 'hex'));
        return p.op === '!=' ? sql`t.trace_id != ${blobs[0]}` : sql`t.trace_id IN (${sql.join(blobs)})`;
      }
      case 'span.name':
      case 'span.type': {
        const column = name === 'span.name' ? 'name' : 'op';
        if (p.op === '=' || p.op === 'in') {
          // Equality uses the (name|op, trace_row) index; the outer project condition scopes it.
          return sql`t.row IN (SELECT trace_row FROM spans WHERE ${textCondition(sql.ref(column), p)})`;
        }
        return this.spanCondition(textCondition(sql.ref(`s.${column}`), p));
      }
      case 'span.status':
        return this.spanCondition(textCondition(sql`s.status`, p));
      default:
        throw new QuerySyntaxError(`"${name}" is not searchable for traces`, p.position);
    }
  }
}
