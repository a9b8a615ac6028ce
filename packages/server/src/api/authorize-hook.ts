/**
 * Authorization before anything else runs, for every route under /api/0/ (also the ones other
 * modules add later): the principal is resolved (401), a write needs the member role (403), and
 * a `:projectId`, `:issueId` or `:traceId` the principal may not see answers 404, all before the request body
 * is validated or the handler runs. A route opts out only by declaring it in its options:
 * `config: { access: 'public' }` (sign-in, accepting an invitation) or `config: { access: 'self' }`
 * (the caller's own account: a viewer may sign out or change their password).
 * Handlers still call requireProject / requireIssue / requireRole; the principal is resolved once.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import type { Role } from '../store/account-types.js';
import type { Store } from '../store/types.js';
import { assertProjectAccess, canSeeProject, requireRole, requireToken } from './auth.js';

export type RouteAccess = 'public' | 'self';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route before its handler runs (api/README.md); absent: the default rule. */
    access?: RouteAccess;
    /** The least role the route needs, checked before the body is validated (in its project, when it has a :projectId). */
    role?: Role;
  }
}

export function authorizeEveryRoute(app: FastifyInstance, store: Store): void {
  app.addHook('preValidation', async (request) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/0/')) return;
    const access = request.routeOptions.config?.access;
    if (access === 'public') return;
    const principal = await requireToken(request, store, { anyRole: access === 'self' });
    // A malformed id is left to the route's schema (400) or handler (404): it names no project.
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const id = (value: string | undefined) => (value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null);
    const projectId = id(params.projectId);
    if (projectId !== null) assertProjectAccess(principal, projectId);
    const role = request.routeOptions.config?.role;
    if (role) await requireRole(request, store, role, params.projectId === undefined ? undefined : (projectId ?? undefined));
    const issueId = id(params.issueId);
    if (issueId !== null) {
      const issue = await store.getIssue(issueId);
      if (!issue) throw new HttpError(404, 'not_found', 'issue not found');
      assertProjectAccess(principal, issue.projectId, 'issue');
    }
    const traceId = params.traceId?.replace(/-/g, '').toLowerCase();
    if (traceId !== undefined && /^[0-9a-f]{32}$/.test(traceId)) {
      // A trace may span projects: it exists for whoever sees one of them.
      const projects = await store.traceProjects(traceId);
      if (!projects.some((p) => canSeeProject(principal, p))) throw new HttpError(404, 'not_found', 'trace not found');
    }
  });
}
