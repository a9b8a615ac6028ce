/**
 * Compiles the search AST to Kysely expressions for SQLite, for issues and for events. What each
 * predicate means (fields, operators, checks) is shared by every backend (store/search-fields.ts);
 * this file only writes it as SQLite SQL. Every value is a bound parameter; column names come from
 * fixed maps, never from the query text.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { SearchExpr, SearchPredicate } from '../../query/ast.js';
import { assigneeFilter, attributeFilter, tagMatch, type SearchTarget } from '../search-fields.js';
import { IDENTITY_TAG_KEYS } from '../types.js';
import type { Tables } from './tables.js';

type Eb = ExpressionBuilder<Tables, 'issues'> | ExpressionBuilder<Tables, 'events'>;

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
    const match = tagMatch(p);
    const valueIds = this.db
      .selectFrom('tag_values')
      .select('id')
      .where('project_id', '=', this.projectId)
      .where('key', '=', key)
      .where((v) => {
        switch (match.kind) {
          case 'exists':
            return v.lit(true);
          case 'in':
            return v('value', 'in', match.values);
          case 'like':
            return sql<SqlBool>`value LIKE ${match.pattern} ESCAPE '\\'`;
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
    if (name === 'assigned') {
      const { userIds, none } = assigneeFilter(p);
      return this.issueCondition(eb, (ib) =>
        ib.or([...(none ? [ib('assignee_id', 'is', null)] : []), ...(userIds.length ? [ib('assignee_id', 'in', userIds)] : [])]),
      );
    }
    const filter = attributeFilter(p, name, this.target);
    switch (filter.kind) {
      case 'status':
        return this.issueCondition(eb, (ib) =>
          ib.or(
            filter.statuses.map((status) =>
              status === 'regressed' ? ib.and([ib('status', '=', 'unresolved'), ib('is_regressed', '=', 1)]) : ib('status', '=', status),
            ),
          ),
        );
      case 'text':
        return this.issueCondition(eb, (ib) => sql<SqlBool>`${ib.ref('title')} LIKE ${filter.likePattern} ESCAPE '\\'`);
      case 'event-column':
        return (eb as ExpressionBuilder<Tables, 'events'>)(filter.column, filter.op, filter.value);
      case 'issue-column':
        return this.issueCondition(eb, (ib) => ib(filter.column, filter.op, filter.value));
    }
  }
}
