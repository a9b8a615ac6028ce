import { and, type SearchExpr } from '../query/ast.js';
import { parseSearch } from '../query/issue-search.js';

/**
 * The search of a list request: `query` in the search language, ANDed with the `environment`
 * parameter (one or several) that the dashboard's environment picker sends.
 */
export function searchFilter(params: { query?: string; environment?: string[] }): SearchExpr | null {
  const parts: SearchExpr[] = [];
  const parsed = parseSearch(params.query ?? '');
  if (parsed) parts.push(parsed);
  const environments = (params.environment ?? []).filter(Boolean);
  if (environments.length) {
    parts.push({ kind: 'predicate', field: { type: 'tag', key: 'environment' }, op: 'in', values: environments, position: 0 });
  }
  return and(parts);
}
