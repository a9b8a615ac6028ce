/**
 * Signing in and out, the owner's first set-up, accepting an invitation, changing and resetting a
 * password. Requests here carry no session yet (except sign-out and password change); every body
 * is JSON, which a cross-site HTML form cannot send, and the session cookie is SameSite=Lax.
 */
import { Type } from '@sinclair/typebox';
import { AuthConfig, Bodies, Me, Ok, RoleName, SignedIn } from './contract/accounts.js';
import { errors } from './contract/common.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../accounts/context.js';
import { audit } from '../accounts/audit.js';
import { hashPassword, passwordProblem, verifyPassword } from '../accounts/passwords.js';
import { hashSecret, newSecret } from '../accounts/secrets.js';
import { clearSessionCookie, startSession } from '../accounts/session.js';
import { bodyOf, emailField, secretField, textField } from '../accounts/validate.js';
import { HttpError } from '../errors.js';
import type { User } from '../store/account-types.js';
import { requireToken } from './auth.js';
import { publicUrl } from './http.js';

export const RESET_TTL_MS = 60 * 60_000;

const badPassword = (problem: string) => new HttpError(400, 'invalid_password', problem);

/** What the dashboard shows of the signed-in principal. */
export function whoAmI(principal: Awaited<ReturnType<typeof requireToken>>) {
  return {
    kind: principal.kind,
    role: principal.role,
    user: principal.user,
    projects: principal.projects === null ? null : [...principal.projects],
    csrfToken: principal.csrfToken ?? null,
  };
}

export async function sessionRoutes(app: FastifyInstance, ctx: AccountsContext) {
  const { store, config } = ctx;

  const signedIn = async (request: FastifyRequest, reply: FastifyReply, user: User, action: string) => {
    const csrfToken = await startSession(request, reply, store, config, user.id);
    await audit(store, request, action, user.email, {}, { userId: user.id, label: user.email });
    return { user, role: user.role, csrfToken };
  };

  app.get('/api/0/auth/config/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'How people sign in here (set-up needed, SSO, password reset)', response: { 200: AuthConfig, ...errors() }, security: [] } }, async () => ({
    setupNeeded: (await store.countUsers()) === 0,
    sso: ctx.oidc ? { label: ctx.oidc.settings.label } : null,
    passwordReset: ctx.mailer ? 'email' : 'cli',
  }));

  app.post('/api/0/auth/setup/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Create the owner with the first-start link', body: Bodies.setup, response: { 201: SignedIn, ...errors(400, 403, 409) }, security: [] } }, async (request, reply) => {
    const body = bodyOf(request.body);
    const hash = hashSecret(secretField(body.token, 'token'));
    const email = emailField(body.email);
    const name = textField(body.name, 'name', 100, { optional: true, allowEmpty: true }) ?? '';
    const problem = passwordProblem(body.password, email);
    if (problem) throw badPassword(problem);
    const passwordHash = await hashPassword(body.password as string);
    // Locked across processes: the check that no user exists and the owner's creation are one step.
    const user = await store.exclusively('owner-setup', async () => {
      if ((await store.countUsers()) > 0) throw new HttpError(409, 'already_set_up', 'The owner already exists: sign in instead');
      const link = await store.consumeOneTimeLink(hash, 'setup', Date.now());
      if (!link) throw new HttpError(403, 'invalid_link', 'This set-up link is not valid (used, expired, or replaced by a newer start)');
      return store.createUser({ email, name, role: 'owner', passwordHash });
    });
    reply.code(201);
    return signedIn(request, reply, user, 'user.created_owner');
  });

  app.post('/api/0/auth/sign-in/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Sign in with e-mail and password (sets the session cookie)', body: Bodies.signIn, response: { 200: SignedIn, ...errors(400, 401, 429) }, security: [] } }, async (request, reply) => {
    const body = bodyOf(request.body);
    const email = emailField(body.email);
    if (typeof body.password !== 'string' || body.password.length > 200) throw new HttpError(400, 'invalid_body', 'password must be text of at most 200 characters');
    const wait = ctx.throttle.retryAfter(email, request.ip);
    if (wait > 0) {
      await audit(store, request, 'sign_in.throttled', email, {}, { userId: null, label: email });
      throw new HttpError(429, 'too_many_attempts', `Too many failed sign-ins: try again in ${wait} seconds`, { 'retry-after': String(wait) });
    }
    const user = await store.findUserByEmail(email);
    if (!(await verifyPassword(body.password, user?.passwordHash ?? null)) || !user) {
      ctx.throttle.fail(email, request.ip);
      await audit(store, request, 'sign_in.failed', email, {}, { userId: user?.id ?? null, label: email });
      throw new HttpError(401, 'invalid_credentials', 'The e-mail or password is not right');
    }
    ctx.throttle.succeed(email);
    const { passwordHash: _hidden, ...visible } = user;
    return signedIn(request, reply, visible, 'sign_in');
  });

  app.post('/api/0/auth/sign-out/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'End this session', response: { 204: Type.Null(), ...errors(401, 403) } } }, async (request, reply) => {
    const principal = await requireToken(request, store, { anyRole: true });
    if (principal.sessionIdHash) await store.deleteSession(principal.sessionIdHash);
    clearSessionCookie(request, reply, config);
    reply.code(204);
  });

  app.post('/api/0/auth/sign-out-everywhere/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'End every session of the signed-in user', response: { 204: Type.Null(), ...errors(400, 401, 403) } } }, async (request, reply) => {
    const principal = await requireToken(request, store, { anyRole: true });
    if (!principal.user) throw new HttpError(400, 'not_a_user', 'Only a signed-in user has sessions to end');
    const ended = await store.deleteUserSessions(principal.user.id);
    await audit(store, request, 'sign_out.everywhere', principal.user.email, { sessions: ended });
    clearSessionCookie(request, reply, config);
    reply.code(204);
  });

  app.get('/api/0/auth/me/', { schema: { tags: ['accounts'], summary: 'Who is asking: role, user, visible projects, CSRF token', response: { 200: Me, ...errors(401) } } }, async (request) => whoAmI(await requireToken(request, store)));

  app.put('/api/0/auth/password/', { config: { access: 'self' }, schema: { tags: ['accounts'], summary: 'Change your password (your other sessions end)', body: Bodies.password, response: { 200: Ok, ...errors(400, 401, 403) } } }, async (request) => {
    const principal = await requireToken(request, store, { anyRole: true });
    if (principal.kind !== 'session' || !principal.user) throw new HttpError(403, 'forbidden', 'Change a password while signed in, not with a token');
    const body = bodyOf(request.body);
    const user = await store.findUserByEmail(principal.user.email);
    if (user?.passwordHash && (typeof body.currentPassword !== 'string' || !(await verifyPassword(body.currentPassword, user.passwordHash)))) {
      throw new HttpError(403, 'invalid_credentials', 'The current password is not right');
    }
    const problem = passwordProblem(body.newPassword, principal.user.email);
    if (problem) throw badPassword(problem);
    await store.setPasswordHash(principal.user.id, await hashPassword(body.newPassword as string));
    // Every other session ends: whoever knew the old password is signed out.
    const ended = await store.deleteUserSessions(principal.user.id, principal.sessionIdHash);
    await audit(store, request, 'password.changed', principal.user.email, { otherSessionsEnded: ended });
    return { ok: true };
  });

  app.post('/api/0/auth/password-reset/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Mail a password-reset link (when SMTP is configured)', body: Bodies.resetRequest, response: { 202: Ok, ...errors(400, 409) }, security: [] } }, async (request, reply) => {
    const email = emailField(bodyOf(request.body).email);
    if (!ctx.mailer) {
      throw new HttpError(409, 'reset_by_cli', 'This server sends no e-mail: an administrator resets passwords with "proliferate user set-password EMAIL --password-stdin"');
    }
    const user = await store.findUserByEmail(email);
    if (user) {
      const secret = newSecret();
      await store.createOneTimeLink({ purpose: 'reset', tokenHash: hashSecret(secret), userId: user.id, expiresAt: Date.now() + RESET_TTL_MS });
      const url = `${publicUrl(request, config.publicUrl)}/reset-password#token=${secret}`;
      await ctx.mailer.send(user.email, 'Reset your Proliferate password', `Someone asked to reset the password of ${user.email}.\n\nSet a new one within an hour:\n${url}\n\nIf it was not you, ignore this message.`);
      await audit(store, request, 'password.reset_requested', user.email, {}, { userId: null, label: 'anonymous' });
    }
    // The same answer whether or not the account exists.
    reply.code(202);
    return { ok: true };
  });

  app.post('/api/0/auth/password-reset/complete/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Set a new password with a reset link', body: Bodies.resetComplete, response: { 200: Ok, ...errors(400, 403) }, security: [] } }, async (request) => {
    const body = bodyOf(request.body);
    const hash = hashSecret(secretField(body.token, 'token'));
    const pending = await store.peekOneTimeLink(hash, 'reset', Date.now());
    const owner = pending?.userId ? await store.getUser(pending.userId) : undefined;
    if (!pending || !owner) throw new HttpError(403, 'invalid_link', 'This reset link is not valid (used or expired)');
    const problem = passwordProblem(body.password, owner.email);
    if (problem) throw badPassword(problem);
    if (!(await store.consumeOneTimeLink(hash, 'reset', Date.now()))) throw new HttpError(403, 'invalid_link', 'This reset link was just used');
    await store.setPasswordHash(owner.id, await hashPassword(body.password as string));
    await store.deleteUserSessions(owner.id);
    await audit(store, request, 'password.reset', owner.email, {}, { userId: owner.id, label: owner.email });
    return { ok: true };
  });

  app.post('/api/0/auth/invitation/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Read a pending invitation', body: Bodies.invitationToken, response: { 200: Type.Object({ email: Type.Union([Type.String(), Type.Null()]), role: Type.Union([RoleName, Type.Null()]), expiresAt: Type.String() }), ...errors(400, 403) }, security: [] } }, async (request) => {
    const hash = hashSecret(secretField(bodyOf(request.body).token, 'token'));
    const link = await store.peekOneTimeLink(hash, 'invite', Date.now());
    if (!link) throw new HttpError(403, 'invalid_link', 'This invitation is not valid (used, revoked or expired)');
    return { email: link.email, role: link.role, expiresAt: link.expiresAt };
  });

  app.post('/api/0/auth/accept-invite/', { config: { access: 'public' }, schema: { tags: ['accounts'], summary: 'Accept an invitation: create the account and sign in', body: Bodies.acceptInvite, response: { 201: SignedIn, ...errors(400, 403, 409) }, security: [] } }, async (request, reply) => {
    const body = bodyOf(request.body);
    const hash = hashSecret(secretField(body.token, 'token'));
    const pending = await store.peekOneTimeLink(hash, 'invite', Date.now());
    if (!pending?.email || !pending.role) throw new HttpError(403, 'invalid_link', 'This invitation is not valid (used, revoked or expired)');
    const name = textField(body.name, 'name', 100, { optional: true, allowEmpty: true }) ?? '';
    const problem = passwordProblem(body.password, pending.email);
    if (problem) throw badPassword(problem);
    if (await store.findUserByEmail(pending.email)) throw new HttpError(409, 'user_exists', 'An account with this e-mail already exists: sign in instead');
    const link = await store.consumeOneTimeLink(hash, 'invite', Date.now());
    if (!link) throw new HttpError(403, 'invalid_link', 'This invitation was just used');
    const visible = new Set((await store.listProjects()).map((p) => p.id));
    const user = await store.createUser({
      email: link.email!,
      name,
      role: link.role!,
      passwordHash: await hashPassword(body.password as string),
      projectIds: link.projectIds.filter((id) => visible.has(id)),
    });
    reply.code(201);
    return signedIn(request, reply, user, 'invitation.accepted');
  });
}
