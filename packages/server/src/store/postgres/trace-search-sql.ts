/**
 * Compiles the search AST for traces (the table aliased `t`) to a parameterised PostgreSQL
 * condition. Field names map to fixed SQL; every value, key and pattern is a bound parameter.
 *
 * LIKE is case-sensitive and ILIKE is not, as the filter grammar (and MLflow) mean them: both are
 * PostgreSQL's own. SQLite needs a per-query plan (its trace-plan.ts) because it has no statistics
 * to choose the driving index; PostgreSQL's planner has them (ANALYZE), so there is no plan here.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { QuerySyntaxError, type SearchExpr, type SearchPredicate } from '../../query/ast.js';
import { integerComparison, type Comparison } from './search-sql.js';

type Sql = RawBuilder<unknown>;

const NUMBER_COLUMNS: Record<string, Sql> = {
  timestamp_ms: sql`t.timestamp_ms`,
  execution_time_ms: sql`t.execution_time_ms`,
  span_count: sql`t.span_count`,
};
const COMPARISONS: Record<string, Sql> = { '=': sql`=`, '!=': sql`<>`, '>': sql`>`, '>=': sql`>=`, '<': sql`<`, '<=': sql`<=` };
const INT32 = new Set(['span_count']);

/** `value <op> $n` for a text column or expression. */
function textCondition(column: Sql, p: SearchPredicate): Sql {
  const values = p.values.map(String);
  switch (p.op) {
    case '=':
    case '!=':
      return sql`${column} ${COMPARISONS[p.op]!} ${values[0]}`;
    case 'in':
      return sql`${column} = ANY(${values}::text[])`;
    case 'like':
      return sql`${column} LIKE ${values[0]}`;
    case 'ilike':
      return sql`${column} ILIKE ${values[0]}`;
    case 'exists':
      return sql`true`;
    default:
      throw new QuerySyntaxError(`text cannot be compared with "${p.op}"`, p.position);
  }
}

export class TraceSearchCompiler {
  constructor(private readonly projectId: number) {}

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
    const rows = sql`SELECT trace_row FROM ${sql.table(table)} WHERE project_id = ${this.projectId} AND key = ${key}`;
    if (p.op === 'exists') return sql`t.row IN (${rows})`;
    return sql`t.row IN (${rows} AND ${textCondition(sql.ref('value'), p)})`;
  }

  private spanCondition(condition: Sql): Sql {
    return sql`EXISTS (SELECT 1 FROM spans s WHERE s.project_id = t.project_id AND s.trace_row = t.row AND ${condition})`;
  }

  private number(p: SearchPredicate, name: string, column: Sql): Sql {
    const limit = INT32.has(name) ? 2_147_483_647 : Number.MAX_SAFE_INTEGER;
    if (p.op === 'in') {
      const values = p.values.map(Number).filter((v) => Number.isInteger(v) && Math.abs(v) <= limit);
      return values.length ? sql`${column} = ANY(${values}::bigint[])` : sql`false`;
    }
    if (!COMPARISONS[p.op]) throw new QuerySyntaxError(`"${name}" cannot be compared with "${p.op}"`, p.position);
    const bound = integerComparison(p.op as Comparison, Number(p.values[0]));
    if (typeof bound === 'boolean') return bound ? sql`true` : sql`false`;
    return sql`${column} ${COMPARISONS[bound.op]!} ${Math.max(-limit, Math.min(limit, bound.value))}`;
  }

  private attribute(p: SearchPredicate, name: string): Sql {
    if (name.startsWith('metadata.')) return this.keyed('trace_metadata', name.slice('metadata.'.length), p);
    if (name.startsWith('span.attributes.')) {
      const key = name.slice('span.attributes.'.length);
      if (p.op === 'exists') return this.spanCondition(sql`jsonb_exists(s.data, ${key})`);
      return this.spanCondition(textCondition(sql`(s.data ->> ${key}::text)`, p));
    }
    const numberColumn = NUMBER_COLUMNS[name];
    if (numberColumn) return this.number(p, name, numberColumn);
    switch (name) {
      case 'status':
        return textCondition(sql`t.status`, p);
      case 'name':
        return textCondition(sql`coalesce(t.name, '')`, p);
      case 'trace_id': {
        const ids = p.values.map((v) => String(v).replace(/-/g, '').toLowerCase()).filter((v) => /^[0-9a-f]{32}$/.test(v));
        if (p.op !== '=' && p.op !== 'in' && p.op !== '!=') throw new QuerySyntaxError('trace_id is compared with =, != or IN', p.position);
        if (ids.length === 0) return p.op === '!=' ? sql`true` : sql`false`;
        const blobs = ids.map((id) => Buffer.from(id, 'hex'));
        return p.op === '!=' ? sql`t.trace_id <> ${blobs[0]}` : sql`t.trace_id = ANY(${blobs}::bytea[])`;
      }
      case 'span.name':
      case 'span.type': {
        const column = name === 'span.name' ? 'name' : 'op';
        if (p.op === '=' || p.op === 'in') {
          // Equality uses the (project_id, name|op, trace_row) index.
          return sql`t.row IN (SELECT trace_row FROM spans WHERE project_id = ${this.projectId} AND ${textCondition(sql.ref(column), p)})`;
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
