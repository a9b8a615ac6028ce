import type { SearchExpr } from '../query/ast.js';

/**
 * Whether a search says something about single events (a tag, an id, a time), so that the events of
 * a matching issue are only some of its events and the list shows how many match. Conditions on
 * the issue itself (is:, text, times_seen, lastSeen) match all of its events or none.
 */
export function filtersEvents(expr: SearchExpr | null): boolean {
  if (!expr) return false;
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.items.some(filtersEvents);
    case 'not':
      return filtersEvents(expr.item);
    case 'predicate':
      return expr.field.type === 'tag' || expr.field.name === 'timestamp' || expr.field.name === 'issue_id';
  }
}
