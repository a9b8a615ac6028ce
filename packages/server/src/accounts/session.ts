import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../api/principal.js';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/types.js';
import { hashSecret, newSecret } from './secrets.js';

/** A session lasts 14 days from sign-in; signing out (or everywhere) ends it sooner. */
export const SESSION_TTL_MS = 14 * 24 * 3_600_000;

function secure(request: FastifyRequest, config: ServerConfig): boolean {
  // request.protocol follows X-Forwarded-Proto only with PROLIFERATE_TRUST_PROXY.
  return request.protocol === 'https' || (config.publicUrl?.startsWith('https:') ?? false);
}

/**
 * Starts a new session for the user: always a fresh random id (a session id set before sign-in is
 * never adopted, which is what defeats session fixation), any session the browser presented is
 * ended. Returns the session's CSRF token.
 */
export async function startSession(request: FastifyRequest, reply: FastifyReply, store: Store, config: ServerConfig, userId: number): Promise<string> {
  const previous = request.cookies?.[SESSION_COOKIE];
  if (previous && previous.length <= 200) await store.deleteSession(hashSecret(previous));
  const id = newSecret();
  const csrfToken = newSecret();
  const now = Date.now();
  await store.createSession(hashSecret(id), { userId, csrfToken, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request, config),
    maxAge: SESSION_TTL_MS / 1000,
  });
  return csrfToken;
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, config: ServerConfig): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request, config) });
}
