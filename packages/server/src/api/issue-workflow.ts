/**
 * Assignment and activity of issues (docs/triage.md): who an assignee value means, recording what
 * changed, and the `assigned:` search values that need to know who asks.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { SearchExpr } from '../query/ast.js';
import type { User } from '../store/account-types.js';
import type { ActivityInput } from '../store/issue-workflow-types.js';
import type { Issue, IssueStatus, Store } from '../store/types.js';
import { requireToken } from './auth.js';
import { carrySnoozes, snoozesToCarry } from './merge-snoozes.js';
import type { Principal } from './principal.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const userCanSee = (user: User, projectId: number) => user.role === 'owner' || user.role === 'admin' || user.projectIds.includes(projectId);

/** Who did it, as the activity log names them. */
export function actorOf(principal: Principal): Pick<ActivityInput, 'actorUserId' | 'actor'> {
  return { actorUserId: principal.user?.id ?? null, actor: principal.user?.email ?? principal.label };
}

async function userFor(store: Store, principal: Principal, value: string): Promise<User | undefined> {
  if (value === 'me') {
    if (!principal.user) throw new HttpError(400, 'no_user', '"me" needs a signed-in user or a personal token; this token belongs to no user');
    return principal.user;
  }
  const byId = /^(?:user:)?([0-9]{1,9})$/.exec(value);
  if (byId) return store.getUser(Number(byId[1]));
  if (EMAIL.test(value)) return store.findUserByEmail(value);
  throw new HttpError(400, 'invalid_assignee', `"${value.slice(0, 80)}" is not an assignee: use an e-mail, "user:ID" or "me"`, {}, { field: 'assignedTo' });
}

/** The user an `assignedTo` value names (null: unassign), who must be able to see the project. */
export async function resolveAssignee(store: Store, principal: Principal, projectId: number, value: string | null): Promise<User | null> {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  const user = await userFor(store, principal, text);
  if (!user) throw new HttpError(400, 'unknown_assignee', `no user "${text.slice(0, 80)}" exists; invite them first (docs/teams.md)`, {}, { field: 'assignedTo' });
  if (!userCanSee(user, projectId)) {
    throw new HttpError(400, 'assignee_not_member', `${user.email} is not a member of this project`, {}, { field: 'assignedTo' });
  }
  return user;
}

/** Assigns the issues and records one activity entry per issue whose assignee changed. */
export async function assignIssues(store: Store, principal: Principal, projectId: number, ids: number[], user: User | null): Promise<number[]> {
  const changed = await store.assignIssues(projectId, ids, user?.id ?? null);
  const data = user ? { assignee: { id: user.id, email: user.email, name: user.name } } : {};
  await store.recordActivity(changed.map((issueId) => ({ projectId, issueId, kind: user ? 'assigned' : 'unassigned', ...actorOf(principal), data })));
  return changed;
}

export async function recordStatusChange(store: Store, principal: Principal, projectId: number, issueIds: number[], status: IssueStatus, extra: Record<string, unknown> = {}) {
  await store.recordActivity(issueIds.map((issueId) => ({ projectId, issueId, kind: 'status', ...actorOf(principal), data: { status, ...extra } })));
}

/**
 * Turns `assigned:` values into user ids: `me` into the asker's, an e-mail or user:ID into that
 * user's (-1, matching nothing, when there is no such user), `none` stays.
 */
export async function resolveAssigneeSearch(request: FastifyRequest, store: Store, expr: SearchExpr | null): Promise<SearchExpr | null> {
  if (!expr) return expr;
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, items: await Promise.all(expr.items.map((item) => resolveAssigneeSearch(request, store, item) as Promise<SearchExpr>)) };
    case 'not':
      return { ...expr, item: (await resolveAssigneeSearch(request, store, expr.item))! };
    case 'predicate': {
      if (expr.field.type !== 'attribute' || expr.field.name !== 'assigned') return expr;
      const principal = await requireToken(request, store);
      const values = await Promise.all(
        expr.values.map(async (value) => {
          const text = String(value);
          if (text === 'none' || typeof value === 'number') return value;
          return (await userFor(store, principal, text))?.id ?? -1;
        }),
      );
      return { ...expr, values };
    }
  }
}

/**
 * Merges issues of a project, as Sentry's bulk PUT with {"merge": 1} does: the issue with the most
 * events (the oldest on a tie) absorbs the others and keeps its status and assignee; comments move
 * with their issue (the store), snoozes as merge-snoozes.ts says. Records the merge on every issue involved.
 */
export async function mergeIssues(store: Store, principal: Principal, projectId: number, requested: number[]): Promise<{ parent: number; children: number[] }> {
  const ids = await store.projectIssueIds(projectId, requested);
  const issues = (await Promise.all(ids.map((id) => store.getIssue(id)))).filter((i) => i !== undefined && i.mergedInto === null);
  if (issues.length < 2) throw new HttpError(400, 'merge_needs_two', 'merging needs at least two unmerged issues of this project', {}, { field: 'id' });
  const parent = issues.reduce((best, i) => (i!.count > best!.count || (i!.count === best!.count && i!.id < best!.id) ? i : best))!;
  const sources = issues.filter((i) => i!.id !== parent.id) as Issue[];
  const snoozes = await snoozesToCarry(store, parent, sources);
  const children = await store.mergeIssues(projectId, parent.id, sources.map((i) => i.id));
  if (children.length > 0) await carrySnoozes(store, parent.id, snoozes);
  const actor = actorOf(principal);
  await store.recordActivity([
    { projectId, issueId: parent.id, kind: 'merged', ...actor, data: { issueIds: children } },
    ...children.map((issueId) => ({ projectId, issueId, kind: 'merged_into' as const, ...actor, data: { issueId: parent.id } })),
  ]);
  return { parent: parent.id, children };
}
