/**
 * Chooses how each condition of a trace search runs. SQLite, without statistics, tends to range-
 * scan the duration index and sort, whatever the tag: 47 ms for "production AND > 5 s" on the
 * 100,000-trace bench set, where walking the time index and checking each trace stops after a few
 * hundred rows. So before the query, each indexed top-level condition (a tag or metadata value,
 * status, a time or duration range) is counted up to CAP through its index (each count reads at
 * most CAP index entries, well under a millisecond):
 * - the smallest under CAP "drives": it keeps its index (tags as an IN list), the others become
 *   per-row checks (tags as an EXISTS on the tag's primary key, columns behind a unary `+` so their
 *   index is not used);
 * - none under CAP: every condition is a check, and the ORDER BY index walks the traces in order,
 *   stopping at the page size.
 */
import { sql, type Kysely } from 'kysely';
import type { SearchExpr, SearchPredicate } from '../../query/ast.js';
import type { Tables } from './tables.js';

export type ConditionMode = 'drive' | 'check';
export type TracePlan = Map<SearchPredicate, ConditionMode>;

export const CAP = 10_000;
const RANGE_COLUMNS: Record<string, 'timestamp_ms' | 'execution_time_ms'> = { timestamp_ms: 'timestamp_ms', execution_time_ms: 'execution_time_ms' };
const COMPARISONS = new Set(['=', '>', '>=', '<', '<=']);

/** The count through the condition's own index, up to CAP; null when it has no index. */
function estimate(db: Kysely<Tables>, projectId: number, p: SearchPredicate) {
  const values = p.values.map(String);
  const listed = p.op === '=' || p.op === 'in';
  let inner;
  if (p.field.type === 'tag' && listed) {
    inner = sql`SELECT 1 FROM trace_tags WHERE project_id = ${projectId} AND key = ${p.field.key} AND value IN (${sql.join(values)}) LIMIT ${CAP}`;
  } else if (p.field.type === 'attribute' && p.field.name.startsWith('metadata.') && listed) {
    inner = sql`SELECT 1 FROM trace_metadata WHERE project_id = ${projectId} AND key = ${p.field.name.slice(9)} AND value IN (${sql.join(values)}) LIMIT ${CAP}`;
  } else if (p.field.type === 'attribute' && p.field.name === 'status' && listed) {
    inner = sql`SELECT 1 FROM traces WHERE project_id = ${projectId} AND status IN (${sql.join(values)}) LIMIT ${CAP}`;
  } else if (p.field.type === 'attribute' && RANGE_COLUMNS[p.field.name] && COMPARISONS.has(p.op)) {
    inner = sql`SELECT 1 FROM traces WHERE project_id = ${projectId} AND ${sql.ref(RANGE_COLUMNS[p.field.name]!)} ${sql.raw(p.op)} ${Number(p.values[0])} LIMIT ${CAP}`;
  } else {
    return null;
  }
  return sql<{ n: number }>`SELECT count(*) AS n FROM (${inner})`.execute(db).then((r) => Number(r.rows[0]?.n ?? 0));
}

export async function planTraceSearch(db: Kysely<Tables>, projectId: number, filter: SearchExpr | null): Promise<TracePlan> {
  const plan: TracePlan = new Map();
  if (!filter) return plan;
  const conjuncts = filter.kind === 'and' ? filter.items : [filter];
  const candidates: Array<{ p: SearchPredicate; count: Promise<number> }> = [];
  for (const item of conjuncts) {
    if (item.kind !== 'predicate') continue;
    const count = estimate(db, projectId, item);
    if (count) candidates.push({ p: item, count });
  }
  if (candidates.length === 0) return plan;
  const counts = await Promise.all(candidates.map((c) => c.count));
  let best = -1;
  counts.forEach((n, i) => {
    if (n < CAP && (best === -1 || n < counts[best]!)) best = i;
  });
  candidates.forEach((c, i) => plan.set(c.p, i === best ? 'drive' : 'check'));
  return plan;
}
