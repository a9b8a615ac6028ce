import type { Kysely } from 'kysely';
import type { SearchExpr } from '../../query/ast.js';
import { resolveTagValues, SearchCompiler } from './search-sql.js';
import type { Tables } from './tables.js';

/**
 * Events matching a search, per issue, for one page of the issue list (at most 100 issues): the
 * count beside an issue found by `tier:enterprise` is its enterprise events, not its lifetime total.
 * Driven by the events of those issues (the index on issue and time), each probing event_tags' key per
 * tag predicate, so a page costs its issues' events (see search-sql.ts, tag()).
 */
export async function filteredIssueCounts(db: Kysely<Tables>, projectId: number, filter: SearchExpr | null, issueIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(issueIds.map((id) => [id, 0]));
  if (issueIds.length === 0) return counts;
  let q = db
    .selectFrom('events')
    .select((eb) => ['issue_id', eb.fn.countAll<number>().as('n')])
    .where('project_id', '=', projectId)
    .where('issue_id', 'in', issueIds);
  if (filter) {
    // Value ids bound (resolveTagValues) so the planner knows how many events each tag matches.
    const compiler = new SearchCompiler(db, projectId, 'events', 'events', await resolveTagValues(db, projectId, filter));
    q = q.where((eb) => compiler.compile(eb, filter));
  }
  for (const row of await q.groupBy('issue_id').execute()) counts.set(Number(row.issue_id), Number(row.n));
  return counts;
}
