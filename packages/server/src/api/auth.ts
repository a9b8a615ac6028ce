/**
 * Authorization, in one place for every route (the rule is written down in api/README.md):
 * - `requireToken` resolves who is asking (a Principal: admin token, project token, personal
 *   token or signed-in user) and refuses a write (POST, PUT, PATCH, DELETE) by a viewer or a read
 *   token, and a cookie write without the session's CSRF token.
 * - `requireProject` / `requireIssue` add membership: a project the principal may not see does
 *   not exist for it (404, so ids cannot be probed).
 * - `requireRole` raises the bar for an action (admin for settings, owner for the audit log).
 * Routes that read several projects filter with `canSeeProject`; no route reads `projectId` of the
 * principal to decide access.
 */
import type { FastifyRequest } from 'fastify';
import type { Role } from '../store/account-types.js';
import type { Issue, Project, Store } from '../store/types.js';
import { HttpError } from '../errors.js';
import { idParam } from './raw-params.js';
import { resolvePrincipal, type Principal } from './principal.js';

export type { Principal } from './principal.js';

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
export const atLeast = (role: Role, wanted: Role) => RANK[role] >= RANK[wanted];
export const isWrite = (request: FastifyRequest) => !['GET', 'HEAD', 'OPTIONS'].includes(request.method);

const ROLE_NAMES: Record<Role, string> = { viewer: 'a viewer', member: 'a member', admin: 'an admin', owner: 'an owner' };

export function forbid(principal: Principal, wanted: Role): never {
  throw new HttpError(403, 'forbidden', `This needs the role ${wanted} or higher; ${principal.label} acts as ${ROLE_NAMES[principal.role]}`);
}

/**
 * Who is asking, with the default rule applied: a write needs at least the member role. Own-account
 * routes (sign out, change my password, my tokens) pass `{ anyRole: true }`.
 */
export async function requireToken(request: FastifyRequest, store: Store, options: { anyRole?: boolean } = {}): Promise<Principal> {
  const principal = await resolvePrincipal(request, store);
  if (!options.anyRole && isWrite(request) && !atLeast(principal.role, 'member')) forbid(principal, 'member');
  return principal;
}

/**
 * The principal, when its role is at least `role`. Without `projectId` this is an organization-wide
 * action (users, projects, audit log), which a token limited to one project never may do.
 */
export async function requireRole(request: FastifyRequest, store: Store, role: Role, projectId?: number): Promise<Principal> {
  const principal = await requireToken(request, store, { anyRole: true });
  if (!atLeast(principal.role, role)) forbid(principal, role);
  if (projectId === undefined && principal.tokenProject !== null) {
    throw new HttpError(403, 'forbidden', 'A token limited to one project cannot do organization-wide actions');
  }
  if (projectId !== undefined) assertProjectAccess(principal, projectId);
  return principal;
}

export function canSeeProject(principal: Principal, projectId: number): boolean {
  return principal.projects === null || principal.projects.has(projectId);
}

/** For this principal, another project does not exist (404, not 403, so ids cannot be probed). */
export function assertProjectAccess(principal: Principal, projectId: number, what = 'project'): void {
  if (!canSeeProject(principal, projectId)) throw new HttpError(404, 'not_found', `${what} not found`);
}

/**
 * The project `projectId` (a validated route parameter; read from the raw `:projectId` when not
 * given), when the principal may see it, and has at least `options.role` (member for any write).
 */
export async function requireProject(
  request: FastifyRequest,
  store: Store,
  projectId?: number,
  options: { role?: Role } = {},
): Promise<{ token: Principal; project: Project }> {
  const token = await requireToken(request, store);
  // Routes without a schema yet pass no id: read the raw parameter (api/README.md: give them one).
  const id = projectId ?? idParam((request.params as { projectId?: string }).projectId, 'project');
  assertProjectAccess(token, id);
  if (options.role && !atLeast(token.role, options.role)) forbid(token, options.role);
  const project = await store.getProject(id);
  if (!project) throw new HttpError(404, 'not_found', 'project not found');
  return { token, project };
}

/** The issue `issueId` (a validated route parameter, else the raw `:issueId`), when the principal may see its project. */
export async function requireIssue(request: FastifyRequest, store: Store, issueId?: number): Promise<Issue> {
  const token = await requireToken(request, store);
  const id = issueId ?? idParam((request.params as { issueId?: string }).issueId, 'issue');
  const issue = await store.getIssue(id);
  if (!issue) throw new HttpError(404, 'not_found', 'issue not found');
  assertProjectAccess(token, issue.projectId, 'issue');
  return issue;
}
