/**
 * Single sign-on: /api/0/auth/oidc/start sends the browser to the provider; the provider sends it
 * back to /api/0/auth/oidc/callback. The flow's state, nonce and PKCE verifier are kept in the store
 * (a one-time link keyed by the state, 10 minutes), so any server process can finish the flow, and
 * the browser must also present the state in an HttpOnly cookie (a callback URL sent to someone
 * else's browser does not sign them in). New people get PROLIFERATE_OIDC_DEFAULT_ROLE or are refused.
 */
import { Type } from '@sinclair/typebox';
import { errors } from './contract/common.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../accounts/context.js';
import { audit } from '../accounts/audit.js';
import { hashSecret, sameText } from '../accounts/secrets.js';
import { startSession } from '../accounts/session.js';
import { HttpError } from '../errors.js';
import { publicUrl } from './http.js';

const FLOW_COOKIE = 'proliferate_sso';
const FLOW_TTL_MS = 10 * 60_000;

export async function oidcRoutes(app: FastifyInstance, ctx: AccountsContext) {
  const { store, config } = ctx;
  const callbackUrl = (request: FastifyRequest) => `${publicUrl(request, config.publicUrl)}/api/0/auth/oidc/callback`;
  const refuse = (reply: FastifyReply, reason: string) => reply.redirect(`/sign-in?error=${encodeURIComponent(reason)}`, 303);

  app.get('/api/0/auth/oidc/start', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Start single sign-on: redirects to the provider', response: { 303: Type.Null(), ...errors(404, 502) }, security: [] } }, async (request, reply) => {
    if (!ctx.oidc) throw new HttpError(404, 'sso_not_configured', 'Single sign-on is not configured on this server (PROLIFERATE_OIDC_ISSUER)');
    let flow: Awaited<ReturnType<NonNullable<AccountsContext['oidc']>['start']>>;
    try {
      flow = await ctx.oidc.start(callbackUrl(request));
    } catch (error) {
      request.log.warn({ err: error }, 'OIDC provider unreachable');
      throw new HttpError(502, 'sso_unavailable', 'The single sign-on provider cannot be reached; try again or sign in with a password');
    }
    await store.createOneTimeLink({
      purpose: 'oidc',
      tokenHash: hashSecret(flow.state),
      data: { nonce: flow.nonce, codeVerifier: flow.codeVerifier },
      expiresAt: Date.now() + FLOW_TTL_MS,
    });
    reply.setCookie(FLOW_COOKIE, flow.state, { path: '/api/0/auth/oidc/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: FLOW_TTL_MS / 1000 });
    return reply.redirect(flow.url, 303);
  });

  app.get('/api/0/auth/oidc/callback', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Where the provider sends the browser back; signs in and redirects', querystring: Type.Object({ code: Type.Optional(Type.String({ maxLength: 2000 })), state: Type.Optional(Type.String({ maxLength: 200 })), error: Type.Optional(Type.String({ maxLength: 200 })), iss: Type.Optional(Type.String({ maxLength: 500 })) }), response: { 303: Type.Null(), ...errors(404) }, security: [] } }, async (request, reply) => {
    if (!ctx.oidc) throw new HttpError(404, 'sso_not_configured', 'Single sign-on is not configured on this server');
    const q = request.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    const cookie = request.cookies?.[FLOW_COOKIE] ?? '';
    reply.clearCookie(FLOW_COOKIE, { path: '/api/0/auth/oidc/' });
    if (typeof q.error === 'string') return refuse(reply, `The provider refused: ${q.error.slice(0, 100)}`);
    if (!state || state.length > 200 || !sameText(state, cookie)) return refuse(reply, 'This sign-in did not start in this browser: try again');
    const flow = await store.consumeOneTimeLink(hashSecret(state), 'oidc', Date.now());
    if (!flow) return refuse(reply, 'This sign-in took too long or was already used: try again');
    let identity: Awaited<ReturnType<NonNullable<AccountsContext['oidc']>['finish']>>;
    try {
      const url = new URL(request.url, callbackUrl(request));
      identity = await ctx.oidc.finish(url, { state, nonce: flow.data.nonce!, codeVerifier: flow.data.codeVerifier! });
    } catch (error) {
      request.log.warn({ err: error }, 'OIDC callback refused');
      return refuse(reply, 'The single sign-on answer could not be verified: try again');
    }
    let user = await store.findUserByOidcSubject(identity.subject);
    if (!user && identity.email && identity.emailVerified) {
      // An existing account with the same verified address is linked on first SSO sign-in.
      const byEmail = await store.findUserByEmail(identity.email);
      if (byEmail) {
        await store.linkOidcSubject(byEmail.id, identity.subject);
        user = await store.getUser(byEmail.id);
      }
    }
    if (!user) {
      const role = ctx.oidc.settings.defaultRole;
      if (!role || !identity.email || !identity.emailVerified) {
        await audit(store, request, 'sign_in.sso_refused', identity.email ?? identity.subject, { reason: role ? 'no verified e-mail' : 'no account' }, { userId: null, label: identity.email ?? 'sso' });
        return refuse(reply, role ? 'Your provider did not share a verified e-mail address' : 'You have no account here yet: ask an administrator for an invitation');
      }
      user = await store.createUser({ email: identity.email, name: identity.name ?? '', role, passwordHash: null, oidcSubject: identity.subject });
      await audit(store, request, 'user.created_sso', user.email, { role }, { userId: user.id, label: user.email });
    }
    await startSession(request, reply, store, config, user.id);
    await audit(store, request, 'sign_in.sso', user.email, {}, { userId: user.id, label: user.email });
    return reply.redirect('/', 303);
  });
}
