/**
 * One search AST for every query language: the issue/event `key:value` syntax now, the trace
 * filter-string grammar next. Parsers produce it; each store backend compiles it to parameterised
 * SQL. Values stay values all the way down: user text never becomes SQL text.
 */

export type SearchField =
  /** An indexed tag (user tags and built-ins such as environment, release, user.id). */
  | { type: 'tag'; key: string }
  /** A named attribute of the thing searched (status, times_seen, last_seen, text, ...). */
  | { type: 'attribute'; name: string };

export type SearchOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'glob' | 'like' | 'ilike' | 'exists' | 'contains';

export type SearchValue = string | number;

export interface SearchPredicate {
  kind: 'predicate';
  field: SearchField;
  op: SearchOperator;
  values: SearchValue[];
  /** Character offset in the query, for error messages. */
  position: number;
}

export type SearchExpr =
  | { kind: 'and'; items: SearchExpr[] }
  | { kind: 'or'; items: SearchExpr[] }
  | { kind: 'not'; item: SearchExpr }
  | SearchPredicate;

export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
    this.name = 'QuerySyntaxError';
  }
}

/** All of the expressions; nulls (empty searches) are left out, and none at all is null. */
export function and(parts: Array<SearchExpr | null>): SearchExpr | null {
  const items = parts.filter((part): part is SearchExpr => part !== null);
  return items.length === 0 ? null : items.length === 1 ? items[0]! : { kind: 'and', items };
}

/** Events of one issue (an internal condition; the search languages do not expose it). */
export const issueIdIs = (issueId: number): SearchExpr => ({
  kind: 'predicate',
  field: { type: 'attribute', name: 'issue_id' },
  op: '=',
  values: [issueId],
  position: 0,
});
