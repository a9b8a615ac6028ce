/**
 * Compiles the search AST to Kysely expressions for PostgreSQL, for issues and for events. Every
 * value is a bound parameter; field names come from a fixed map, never from the query text.
 *
 * Differences from SQLite's compiler, each for the same results: SQLite's LIKE ignores ASCII case
 * and PostgreSQL's does not, so globs and free text use ILIKE; integer columns are bigint, which
 * refuses a fractional or out-of-range parameter, so numbers become the equivalent integer bound.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { QuerySyntaxError, type SearchExpr, type SearchPredicate } from '../../query/ast.js';
import { IDENTITY_TAG_KEYS } from '../types.js';
import type { Tables } from './tables.js';
import { assigneeFilter } from '../search-fields.js';

export type SearchTarget = 'issues' | 'events';
type Eb = ExpressionBuilder<Tables, 'issues'> | ExpressionBuilder<Tables, 'events'>;
export type Comparison = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** `1.2.*` -> `1.2.%` with LIKE's own wildcards escaped (backslash is PostgreSQL's default escape). */
export function wildcardToLike(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * `column op value` for a bigint column as an equivalent comparison with an integer: `> 1.5` is
 * `> 1`, `= 1.5` matches nothing. Returns a constant when the comparison is always true or false.
 */
export function integerComparison(op: Comparison, value: number): { op: Comparison; value: number } | boolean {
  if (Number.isNaN(value)) return op === '!=';
  const bounded = Math.max(-MAX, Math.min(MAX, value));
  if (Number.isInteger(bounded)) return { op, value: bounded };
  switch (op) {
    case '=':
      return false;
    case '!=':
      return true;
    case '>':
    case '<=':
      return { op, value: Math.floor(bounded) };
    case '>=':
    case '<':
      return { op, value: Math.ceil(bounded) };
  }
}

/** Ids outside PostgreSQL's integer range name nothing (a bigger number would be an SQL error). */
export const isStoredId = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;

const ISSUE_COLUMNS: Record<string, 'count' | 'user_count' | 'last_seen' | 'first_seen'> = {
  times_seen: 'count', user_count: 'user_count', last_seen: 'last_seen', first_seen: 'first_seen',
};
const COMPARISONS = new Set(['=', '!=', '>', '>=', '<', '<=']);

/** The ids of the tag values a tag predicate matches, as a subquery on tag_values. */
function tagValueIds(db: Kysely<Tables>, projectId: number, p: SearchPredicate, key: string) {
  const values = p.values.map(String);
  return db
    .selectFrom('tag_values')
    .select('id')
    .where('project_id', '=', projectId)
    .where('key', '=', key)
    .where((v) => {
      switch (p.op) {
        case 'exists':
          return v.lit(true);
        case 'in':
        case '=':
          return v('value', 'in', values);
        case 'glob':
          return sql<SqlBool>`value ILIKE ${wildcardToLike(values[0]!)}`;
        default:
          throw new QuerySyntaxError(`tags cannot be compared with "${p.op}"`, p.position);
      }
    });
}

/** Beyond this many matching values (a broad glob), a predicate's ids stay a subquery. */
const MAX_RESOLVED_IDS = 200;

/** Tag value ids per tag predicate of one search (the predicate objects of its AST are the keys). */
export type ResolvedTagValues = Map<SearchPredicate, number[]>;

/**
 * Looks up the value ids of the search's tag predicates before the query is compiled, so that the
 * main query binds them as parameters. Why: with `value_id IN (SELECT id FROM tag_values ...)` the
 * planner cannot tell which value it filters on. On the 1,000,000-event bench data set it estimated
 * 65 issues for tier:enterprise (there are 9,802), then joined and sorted all 9,034 matches of two
 * tag filters: 477 to 755 ms warm. With the ids bound it reads issues in last_seen order and stops
 * at the page: 0.5 to 0.9 ms (EXPLAIN ANALYZE, 2026-12-03, machine shared with other sessions,
 * load average 20). The price: one indexed lookup per tag predicate before the query.
 */
export async function resolveTagValues(db: Kysely<Tables>, projectId: number, expr: SearchExpr | null): Promise<ResolvedTagValues> {
  const predicates: SearchPredicate[] = [];
  const walk = (e: SearchExpr) => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    else if (e.kind === 'not') walk(e.item);
    else if (e.field.type === 'tag') predicates.push(e);
  };
  if (expr) walk(expr);
  const resolved: ResolvedTagValues = new Map();
  await Promise.all(predicates.map(async (p) => {
    if (p.field.type !== 'tag') return;
    const rows = await tagValueIds(db, projectId, p, p.field.key).limit(MAX_RESOLVED_IDS + 1).execute();
    if (rows.length <= MAX_RESOLVED_IDS) resolved.set(p, rows.map((r) => r.id));
  }));
  return resolved;
}

export class SearchCompiler {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly projectId: number,
    private readonly target: SearchTarget,
    /** The name events go by in the query (qualified: event_tags has an issue_id too). */
    private readonly eventsAlias = 'events',
    /** Tag value ids looked up before compiling (resolveTagValues); others stay subqueries. */
    private readonly resolved?: ResolvedTagValues,
  ) {}

  /** `<events alias>.column op value`, the operator from the fixed comparison set. */
  private eventColumn(column: 'issue_id' | 'row' | 'timestamp', op: string, value: unknown): Expression<SqlBool> {
    return sql<SqlBool>`${sql.ref(`${this.eventsAlias}.${column}`)} ${sql.raw(op === '!=' ? '<>' : op)} ${value}`;
  }

  compile(eb: Eb, expr: SearchExpr): Expression<SqlBool> {
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
    const resolved = this.resolved?.get(p);
    // No such value: the predicate is false (and its negation true), with no subquery at all.
    if (resolved?.length === 0) return (eb as ExpressionBuilder<Tables, 'issues'>).lit(false) as unknown as Expression<SqlBool>;
    const valueIds = resolved ?? tagValueIds(this.db, this.projectId, p, key);
    const tagged = this.db
      .selectFrom('event_tags')
      .where('project_id', '=', this.projectId)
      .where('value_id', 'in', valueIds);
    if (this.target === 'issues') {
      // event_tags carries the issue id, so identity tags (no per-issue counts) need no join.
      const issueIds = IDENTITY_TAG_KEYS.has(key)
        ? tagged.select('issue_id')
        : this.db.selectFrom('issue_tag_values').select('issue_id').where('project_id', '=', this.projectId).where('value_id', 'in', valueIds);
      return (eb as ExpressionBuilder<Tables, 'issues'>)('id', 'in', issueIds);
    }
    // EXISTS on event_tags' whole key (the event's time included) rather than `row IN (all rows of
    // the value)`: a search over a few issues' events probes the key per event instead of reading
    // every event of the value. The issue list's filtered counts for `tier:enterprise
    // region:eu-west-1` (25 issues, 268,000 events) went from 37 s to 1.0 s on the 1,000,000-event
    // bench data set (EXPLAIN ANALYZE 2026-12-03 18:50, load average 8 on 2 cores); a scan over the
    // whole project still gets a hash semi-join from the planner.
    const events = this.eventsAlias;
    return sql<SqlBool>`EXISTS (${tagged
      .select(sql.lit(1).as('one'))
      .where(sql<SqlBool>`event_tags.timestamp = ${sql.ref(`${events}.timestamp`)}`)
      .where(sql<SqlBool>`event_tags.event_row = ${sql.ref(`${events}.row`)}`)})`;
  }

  /** An issue-level condition; for events it becomes "the event's issue matches". */
  private issueCondition(eb: Eb, build: (ib: ExpressionBuilder<Tables, 'issues'>) => Expression<SqlBool>): Expression<SqlBool> {
    if (this.target === 'issues') return build(eb as ExpressionBuilder<Tables, 'issues'>);
    const issueIds = this.db.selectFrom('issues').select('id').where('project_id', '=', this.projectId).where(build);
    return sql<SqlBool>`${sql.ref(`${this.eventsAlias}.issue_id`)} IN (${issueIds})`;
  }

  private attribute(eb: Eb, p: SearchPredicate, name: string): Expression<SqlBool> {
    if (name === 'assigned') {
      const { userIds, none } = assigneeFilter(p);
      return this.issueCondition(eb, (ib) =>
        ib.or([...(none ? [ib('assignee_id', 'is', null)] : []), ...(userIds.length ? [ib('assignee_id', 'in', userIds)] : [])]),
      );
    }
    if (name === 'status') {
      return this.issueCondition(eb, (ib) =>
        ib.or(
          p.values.map((status) =>
            status === 'regressed' ? ib.and([ib('status', '=', 'unresolved'), ib('is_regressed', '=', true)]) : ib('status', '=', String(status)),
          ),
        ),
      );
    }
    if (name === 'text') {
      const pattern = `%${wildcardToLike(String(p.values[0]))}%`;
      return this.issueCondition(eb, (ib) => sql<SqlBool>`${ib.ref('title')} ILIKE ${pattern}`);
    }
    if (!COMPARISONS.has(p.op)) throw new QuerySyntaxError(`"${name}" cannot be compared with "${p.op}"`, p.position);
    const bound = integerComparison(p.op as Comparison, Number(p.values[0]));
    const constant = (value: boolean) => (eb as ExpressionBuilder<Tables, 'issues'>).lit(value) as unknown as Expression<SqlBool>;
    if (name === 'issue_id') {
      if (this.target !== 'events') throw new QuerySyntaxError('issue_id filters events', p.position);
      if (typeof bound === 'boolean') return constant(bound);
      const value = Math.max(-1, Math.min(2_147_483_647, bound.value));
      return this.eventColumn('issue_id', bound.op, value);
    }
    if (name === 'timestamp') {
      if (this.target !== 'events') throw new QuerySyntaxError('timestamp filters events; for issues use lastSeen or firstSeen', p.position);
      if (typeof bound === 'boolean') return constant(bound);
      return this.eventColumn('timestamp', bound.op, bound.value);
    }
    const column = ISSUE_COLUMNS[name];
    if (!column) throw new QuerySyntaxError(`"${name}" is not searchable here`, p.position);
    if (typeof bound === 'boolean') return constant(bound);
    return this.issueCondition(eb, (ib) => ib(column, bound.op, bound.value));
  }
}
