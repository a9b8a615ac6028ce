/**
 * Authorization before anything else runs, for every route under /api/0/ (also the ones other
 * modules add later): the principal is resolved (401), a write needs the member role (403), and
 * a `:projectId` or `:issueId` the principal may not see answers 404, all before the request body
 * is validated or the handler runs. A route opts out only by declaring it in its options:
 * `config: { access: 'public' }` (sign-in, accepting an invitation) or `config: { access: 'self' }`
 * (the caller's own account: a viewer may sign out or change their password).
 * Handlers still call requireProject / requireIssue / requireRole; the principal is resolved once.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import type { Store } from '../store/types.js';
import { assertProjectAccess, requireToken } from './auth.js';
import { idParam } from './http.js';

export type RouteAccess = 'public' | 'self';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route before its handler runs (api/README.md); absent: the default rule. */
    access?: RouteAccess;
  }
}

export function authorizeEveryRoute(app: FastifyInstance, store: Store): void {
  app.addHook('preValidation', async (request) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/0/')) return;
    const access = request.routeOptions.config?.access;
    if (access === 'public') return;
    const principal = await requireToken(request, store, { anyRole: access === 'self' });
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    if (params.projectId !== undefined) assertProjectAccess(principal, idParam(params.projectId, 'project'));
    if (params.issueId !== undefined) {
      const issue = await store.getIssue(idParam(params.issueId, 'issue'));
      if (!issue) throw new HttpError(404, 'not_found', 'issue not found');
      assertProjectAccess(principal, issue.projectId, 'issue');
    }
  });
}
