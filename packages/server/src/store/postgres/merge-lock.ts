import { sql, type Transaction } from 'kysely';
import type { Tables } from './tables.js';

/** The first key of the two-key advisory lock space for merges (the second is the project id). */
const MERGE_LOCK = 0x6d657267; // "merg"

/**
 * Serializes merge and unmerge (merge-queries.ts) with the event writer, per project. Each write
 * transaction holds a transaction-scoped SHARED advisory lock on every project of its batch, taken
 * by its first statement; a merge or unmerge takes the EXCLUSIVE lock of its project before it
 * reads anything. So a batch either commits before the merge moves events (and the merge, whose
 * statements start after the lock was granted, moves them too), or starts after the merge commits
 * and reads merged_into as the merge left it: no event is lost or counted in a merged-away issue.
 *
 * Why not a row lock on the issues: the writer used to read them FOR KEY SHARE against the merge's
 * FOR UPDATE, but it later locks the same rows FOR UPDATE to bump their counters. Two batches of
 * one issue then deadlocked whenever one waited on the other's issue_tag_values row while holding
 * its key-share lock (seen in pg_locks: each blocked by the other, one statement on issue_tag_values,
 * one on the issues FOR UPDATE), costing deadlock_timeout (1 s) per batch: the two-process SIGKILL
 * test answered 503 within seconds. Shared advisory locks never conflict with each other, so
 * writers pay one round trip and no row-lock traffic; merges are rare and pay instead: a merge
 * waits for the batches in flight, and batches of that project queue behind it (others go on).
 * Taken before any row is written, so a writer waiting here holds no row another waits on, and a
 * merge waiting here holds nothing: neither can close a cycle. A process killed meanwhile leaves
 * its backends to finish the wait they are in (a backend blocked on a lock notices its client is
 * gone only when the wait ends); every such wait here ends when another transaction commits.
 */
export async function lockProjectsShared(tx: Transaction<Tables>, events: Array<{ event: { projectId: number } }>): Promise<void> {
  const projects = [...new Set(events.map((e) => e.event.projectId))].sort((a, b) => a - b);
  if (projects.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock_shared(${MERGE_LOCK}::integer, p) FROM unnest(${projects}::int[]) AS p ORDER BY p`.execute(tx);
}

/** The merge's side: waits for the project's write transactions in flight, and holds off new ones until commit. */
export async function lockProjectExclusive(tx: Transaction<Tables>, projectId: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${MERGE_LOCK}::integer, ${projectId}::integer)`.execute(tx);
}
