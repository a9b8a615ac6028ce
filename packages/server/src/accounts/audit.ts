import type { FastifyRequest } from 'fastify';
import { knownPrincipal } from '../api/principal.js';
import type { Store } from '../store/types.js';

/**
 * Records a security-relevant action (docs/teams.md lists them). The actor is the request's
 * principal unless given (sign-in, where nobody is signed in yet). Never pass a password or a
 * token's secret in details.
 */
export async function audit(
  store: Store,
  request: FastifyRequest,
  action: string,
  target: string | null,
  details: Record<string, unknown> = {},
  actor?: { userId: number | null; label: string },
): Promise<void> {
  let who = actor;
  if (!who) {
    const principal = await knownPrincipal(request)?.catch(() => undefined);
    who = principal ? { userId: principal.user?.id ?? null, label: principal.label } : { userId: null, label: 'anonymous' };
  }
  await store.appendAudit({ action, actorUserId: who.userId, actor: who.label, target, ip: request.ip, details }, Date.now());
}
