/**
 * What a merge does with snoozes (docs/triage.md#merging-issues). The target keeps its status: an
 * unresolved or resolved target shows the merged events as it is, so a merged-away issue's snooze
 * has nothing to hold back and stays on that issue (dormant while merged; an unmerge gives the
 * issue back with it, so it wakes on its own conditions then). When the target is ignored, every
 * snooze of the issues merged into it follows it there: the merged issue wakes on whichever
 * condition comes first, each counted as it stood (an issue 3 events short of "10 more events" is
 * still 3 short, now of the merged issue's events). A target ignored without a snooze (forever)
 * takes the merged-away snoozes, since their events now arrive there.
 */
import type { SnoozeConditions } from '../store/triage-types.js';
import type { Issue, Store } from '../store/types.js';

/** A snooze as what is left of it: a time, and how many more events and users. */
async function remaining(store: Store, issue: Issue): Promise<(SnoozeConditions & { createdBy: string }) | undefined> {
  const snooze = await store.getIssueSnooze(issue.id);
  if (!snooze) return undefined;
  const left = (base: number, more: number | null, now: number) => (more === null ? null : Math.max(0, base + more - now));
  return {
    untilMs: snooze.untilMs,
    events: left(snooze.baseCount, snooze.events, issue.count),
    users: left(snooze.baseUsers, snooze.users, issue.userCount),
    createdBy: snooze.createdBy,
  };
}

const earliest = (values: Array<number | null | undefined>) => {
  const set = values.filter((v): v is number => typeof v === 'number');
  return set.length ? Math.min(...set) : null;
};

/** Reads, before the merge, the snoozes the target will carry (none unless the target is ignored). */
export async function snoozesToCarry(store: Store, target: Issue, sources: Issue[]) {
  if (target.status !== 'ignored') return { own: false, carried: [] };
  const [own, ...merged] = await Promise.all([target, ...sources].map((issue) => remaining(store, issue)));
  // The target's own snooze first: its author stays the snooze's author.
  return { own: own !== undefined, carried: [own, ...merged].filter((s) => s !== undefined) };
}

/** After the merge: the target wakes on the first condition of all the snoozes it carries. */
export async function carrySnoozes(store: Store, targetId: number, plan: Awaited<ReturnType<typeof snoozesToCarry>>) {
  const { own, carried } = plan;
  if (carried.length === (own ? 1 : 0)) return;
  const conditions: SnoozeConditions = {
    untilMs: earliest(carried.map((s) => s.untilMs)),
    events: earliest(carried.map((s) => s.events)),
    users: earliest(carried.map((s) => s.users)),
  };
  await store.snoozeIssue(targetId, conditions, carried[0]!.createdBy);
}
