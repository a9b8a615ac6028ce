import { and, type SearchExpr } from '../query/ast.js';
import { parseSearch } from '../query/issue-search.js';
import { stringParam } from './http.js';

/**
 * The search of a list request: `query` in the search language, ANDed with the `environment`
 * parameter (one or several) that the dashboard's environment picker sends.
 */
export function searchFilter(params: Record<string, unknown>): SearchExpr | null {
  const parts: SearchExpr[] = [];
  const parsed = parseSearch(stringParam(params.query, 'query') ?? '');
  if (parsed) parts.push(parsed);
  const raw = params.environment;
  const environments = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).filter(Boolean);
  if (environments.length) {
    parts.push({ kind: 'predicate', field: { type: 'tag', key: 'environment' }, op: 'in', values: environments, position: 0 });
  }
  return and(parts);
}
