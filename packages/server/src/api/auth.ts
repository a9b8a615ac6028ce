import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { ApiToken, Issue, Project, Store } from '../store/types.js';

export async function requireToken(request: FastifyRequest, store: Store): Promise<ApiToken> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^\s*Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new HttpError(401, 'unauthorized', 'Send an API token as Authorization: Bearer <token>');
  const token = await store.verifyToken(match[1]!);
  if (!token) throw new HttpError(401, 'unauthorized', 'The API token is not valid');
  return token;
}

/**
 * A token limited to one project sees only that project; for it, other projects do not exist
 * (404, not 403, so ids cannot be probed).
 */
export function assertProjectAccess(token: ApiToken, projectId: number, what = 'project'): void {
  if (token.projectId !== null && token.projectId !== projectId) throw new HttpError(404, 'not_found', `${what} not found`);
}

/** The project `id` (a validated route parameter), when the request's token may see it. */
export async function requireProject(request: FastifyRequest, store: Store, projectId: number): Promise<{ token: ApiToken; project: Project }> {
  const token = await requireToken(request, store);
  assertProjectAccess(token, projectId);
  const project = await store.getProject(projectId);
  if (!project) throw new HttpError(404, 'not_found', 'project not found');
  return { token, project };
}

/** The issue `id` (a validated route parameter), when the request's token may see its project. */
export async function requireIssue(request: FastifyRequest, store: Store, issueId: number): Promise<Issue> {
  const token = await requireToken(request, store);
  const issue = await store.getIssue(issueId);
  if (!issue) throw new HttpError(404, 'not_found', 'issue not found');
  assertProjectAccess(token, issue.projectId, 'issue');
  return issue;
}
