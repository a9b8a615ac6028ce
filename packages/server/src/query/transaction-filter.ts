/**
 * The part of an event search that also applies to transactions (traces), for error rates per
 * variant: tag conditions (`environment:production`, `tier:enterprise`) become trace-tag
 * conditions; what only events have (free text, level, `is:`, issue fields, wildcards) cannot, and
 * is named so the answer can say the rate's denominator was not narrowed by it.
 */
import { DERIVED_TAG_KEYS } from '../digest/digest.js';
import type { SearchExpr } from './ast.js';

const TRACE_OPS = new Set(['=', '!=', 'in', 'exists']);
/** Tag-like fields that only error events have: derived from the event (user, account, error type) or its level. */
const EVENT_ONLY_KEYS = new Set([...DERIVED_TAG_KEYS, 'level']);

export interface TransactionFilter {
  filter: SearchExpr | null;
  /** Conditions of the event search that transactions were not filtered by (field names). */
  notApplied: string[];
}

export function transactionFilter(events: SearchExpr | null): TransactionFilter {
  const notApplied: string[] = [];
  const fieldName = (p: Extract<SearchExpr, { kind: 'predicate' }>) => (p.field.type === 'tag' ? p.field.key : p.field.name);
  function translate(expr: SearchExpr, strict: boolean): SearchExpr | null | 'unusable' {
    switch (expr.kind) {
      case 'predicate':
        if (expr.field.type === 'tag' && TRACE_OPS.has(expr.op) && !EVENT_ONLY_KEYS.has(expr.field.key)) return expr;
        notApplied.push(fieldName(expr));
        return 'unusable';
      case 'and': {
        // Leaving out one condition of an AND only widens it: the rest still narrows the count.
        const items = expr.items.map((item) => translate(item, strict)).filter((i): i is SearchExpr => i !== null && i !== 'unusable');
        if (strict && items.length !== expr.items.length) return 'unusable';
        return items.length === 0 ? null : items.length === 1 ? items[0]! : { kind: 'and', items };
      }
      case 'or': {
        // An OR or a NOT with an untranslatable part would count the wrong transactions: all or nothing.
        const items = expr.items.map((item) => translate(item, true));
        if (items.some((i) => i === 'unusable' || i === null)) return 'unusable';
        return { kind: 'or', items: items as SearchExpr[] };
      }
      case 'not': {
        const item = translate(expr.item, true);
        return item === 'unusable' || item === null ? 'unusable' : { kind: 'not', item };
      }
    }
  }
  const result = events ? translate(events, false) : null;
  return { filter: result === 'unusable' ? null : result, notApplied: [...new Set(notApplied)] };
}
