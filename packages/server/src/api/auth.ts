import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { ApiToken, Store } from '../store/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    token?: ApiToken;
  }
}

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
