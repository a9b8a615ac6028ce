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

export const and = (items: SearchExpr[]): SearchExpr | null =>
  items.length === 0 ? null : items.length === 1 ? items[0]! : { kind: 'and', items };
