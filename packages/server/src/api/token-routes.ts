/**
 * Personal API tokens: made and revoked by a signed-in user for themself, shown once, stored as a
 * SHA-256 hash. They authenticate as `Authorization: Bearer` (also as sentry-cli's
 * SENTRY_AUTH_TOKEN) with the user's role capped by the scope, on the user's projects or one of them.
 */
import { Type } from '@sinclair/typebox';
import { Bodies, PersonalToken } from './contract/accounts.js';
import { errors, Id } from './contract/common.js';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../accounts/context.js';
import { audit } from '../accounts/audit.js';
import { hashSecret, newSecret } from '../accounts/secrets.js';
import { bodyOf, textField } from '../accounts/validate.js';
import { HttpError } from '../errors.js';
import { TOKEN_SCOPES, type TokenScope } from '../store/account-types.js';
import { canSeeProject, requireToken } from './auth.js';
import { idParam } from './raw-params.js';

export async function tokenRoutes(app: FastifyInstance, ctx: AccountsContext) {
  const { store } = ctx;

  /** Tokens are managed from a session only: a leaked token cannot mint itself successors. */
  const sessionUser = async (request: Parameters<typeof requireToken>[0]) => {
    const principal = await requireToken(request, store, { anyRole: true });
    if (principal.kind !== 'session' || !principal.user) throw new HttpError(403, 'forbidden', 'Personal tokens are managed while signed in, not with a token');
    return principal;
  };

  app.get('/api/0/auth/tokens/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'Your personal API tokens', response: { 200: Type.Array(PersonalToken), ...errors(401, 403) } } }, async (request) => store.listPersonalTokens((await sessionUser(request)).user!.id));

  app.post('/api/0/auth/tokens/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'Create a personal API token (the secret is shown once)', body: Bodies.token, response: { 201: Type.Intersect([PersonalToken, Type.Object({ token: Type.String() })]), ...errors(400, 401, 403) } } }, async (request, reply) => {
    const principal = await sessionUser(request);
    const body = bodyOf(request.body);
    const name = textField(body.name, 'name', 100)!;
    const scopes = body.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => !TOKEN_SCOPES.includes(s as TokenScope))) {
      throw new HttpError(400, 'invalid_body', `scopes must be a non-empty list of ${TOKEN_SCOPES.join(', ')}`);
    }
    let projectId: number | null = null;
    if (body.projectId !== undefined && body.projectId !== null) {
      if (!Number.isSafeInteger(body.projectId) || (body.projectId as number) <= 0) throw new HttpError(400, 'invalid_body', 'projectId must be a project id or null');
      projectId = body.projectId as number;
      if (!canSeeProject(principal, projectId) || !(await store.getProject(projectId))) throw new HttpError(400, 'invalid_body', `no project ${projectId} among yours`);
    }
    const secret = newSecret('pfu_');
    const unique = [...new Set(scopes as TokenScope[])];
    const token = await store.createPersonalToken({ userId: principal.user!.id, name, tokenHash: hashSecret(secret), scopes: unique, projectId });
    await audit(store, request, 'token.created', `token #${token.id} (${name})`, { scopes: unique, projectId });
    reply.code(201);
    return { ...token, token: secret };
  });

  app.delete('/api/0/auth/tokens/:tokenId/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'Revoke one of your personal API tokens', params: Type.Object({ tokenId: Id }), response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (request, reply) => {
    const principal = await sessionUser(request);
    const id = idParam((request.params as { tokenId: string }).tokenId, 'token');
    if (!(await store.revokePersonalToken(principal.user!.id, id))) throw new HttpError(404, 'not_found', 'token not found');
    await audit(store, request, 'token.revoked', `token #${id}`);
    reply.code(204);
  });
}
