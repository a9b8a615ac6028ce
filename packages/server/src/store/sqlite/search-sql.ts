/**
 * Compiles the search AST to Kysely expressions for SQLite, for issues and for events. Every value
 * is a bound parameter; field names come from a fixed map, never from the query text.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { QuerySyntaxError, type SearchExpr, type SearchPredicate } from '../../query/ast.js';
import { IDENTITY_TAG_KEYS } from '../types.js';
import type { Tables } from './tables.js';

export type SearchTarget = 'issues' | 'events';
type Eb = ExpressionBuilder<Tables, 'issues'> | ExpressionBuilder<Tables, 'events'>;

/** `1.2.*` -> `1.2.%` with LIKE's own wildcards escaped. */
export function wildcardToLike(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

const ISSUE_COLUMNS: Record<string, 'count' | 'user_count' | 'last_seen' | 'first_seen'> = {
  times_seen: 'count', user_count: 'user_count', last_seen: 'last_seen', first_seen: 'first_seen',
};
const COMPARISONS = new Set(['=', '!=', '>', '>=', '<', '<=']);

export class SearchCompiler {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly projectId: number,
    private readonly target: SearchTarget,
  ) {}

  compile(eb: Eb, expr: SearchExpr): Expression<SqlBool> {
    // and / or / not do not depend on the table, so either builder type serves.
    const logic = eb as ExpressionBuilder<Tables, 'issues'>;
    switch (expr.kind) {
      case 'and':
        return logic.and(expr.items.map((item) => this.compile(eb, item)));
      case 'or':
        return logic.or(expr.items.map((item) => this.compile(eb, item)));
      case 'not':
        return logic.not(this.compile(eb, expr.item));
      case 'predicate':
        return expr.field.type === 'tag' ? this.tag(eb, expr, expr.field.key) : this.attribute(eb, expr, expr.field.name);
    }
  }

  private tag(eb: Eb, p: SearchPredicate, key: string): Expression<SqlBool> {
    const values = p.values.map(String);
    const valueIds = this.db
      .selectFrom('tag_values')
      .select('id')
      .where('project_id', '=', this.projectId)
      .where('key', '=', key)
      .where((v) => {
        switch (p.op) {
          case 'exists':
            return v.lit(true);
          case 'in':
          case '=':
            return v('value', 'in', values);
          case 'glob':
            return sql<SqlBool>`value LIKE ${wildcardToLike(values[0]!)} ESCAPE '\\'`;
          default:
            throw new QuerySyntaxError(`tags cannot be compared with "${p.op}"`, p.position);
        }
      });
    if (this.target === 'issues') {
      const issueIds = IDENTITY_TAG_KEYS.has(key)
        ? this.db
            .selectFrom('events')
            .select('issue_id')
            .where('row', 'in', this.db.selectFrom('event_tags').select('event_row').where('value_id', 'in', valueIds))
        : this.db.selectFrom('issue_tag_values').select('issue_id').where('value_id', 'in', valueIds);
      return (eb as ExpressionBuilder<Tables, 'issues'>)('id', 'in', issueIds);
    }
    const rows = this.db.selectFrom('event_tags').select('event_row').where('value_id', 'in', valueIds);
    return (eb as ExpressionBuilder<Tables, 'events'>)('row', 'in', rows);
  }

  /** An issue-level condition; for events it becomes "the event's issue matches". */
  private issueCondition(eb: Eb, build: (ib: ExpressionBuilder<Tables, 'issues'>) => Expression<SqlBool>): Expression<SqlBool> {
    if (this.target === 'issues') return build(eb as ExpressionBuilder<Tables, 'issues'>);
    const issueIds = this.db.selectFrom('issues').select('id').where('project_id', '=', this.projectId).where(build);
    return (eb as ExpressionBuilder<Tables, 'events'>)('issue_id', 'in', issueIds);
  }

  private attribute(eb: Eb, p: SearchPredicate, name: string): Expression<SqlBool> {
    if (name === 'status') {
      return this.issueCondition(eb, (ib) =>
        ib.or(
          p.values.map((status) =>
            status === 'regressed' ? ib.and([ib('status', '=', 'unresolved'), ib('is_regressed', '=', 1)]) : ib('status', '=', String(status)),
          ),
        ),
      );
    }
    if (name === 'text') {
      const pattern = `%${wildcardToLike(String(p.values[0]))}%`;
      return this.issueCondition(eb, (ib) => sql<SqlBool>`${ib.ref('title')} LIKE ${pattern} ESCAPE '\\'`);
    }
    if (!COMPARISONS.has(p.op)) throw new QuerySyntaxError(`"${name}" cannot be compared with "${p.op}"`, p.position);
    const op = p.op as '=' | '!=' | '>' | '>=' | '<' | '<=';
    const value = Number(p.values[0]);
    if (name === 'issue_id') {
      if (this.target !== 'events') throw new QuerySyntaxError('issue_id filters events', p.position);
      return (eb as ExpressionBuilder<Tables, 'events'>)('issue_id', op, value);
    }
    if (name === 'timestamp') {
      if (this.target !== 'events') throw new QuerySyntaxError('timestamp filters events; for issues use lastSeen or firstSeen', p.position);
      return (eb as ExpressionBuilder<Tables, 'events'>)('timestamp', op, value);
    }
    const column = ISSUE_COLUMNS[name];
    if (!column) throw new QuerySyntaxError(`"${name}" is not searchable here`, p.position);
    return this.issueCondition(eb, (ib) => ib(column, op, value));
  }
}
