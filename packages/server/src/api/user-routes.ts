/**
 * People, for owners and admins: users with their role and projects, invitations, and (owners only)
 * the audit log. Only an owner grants or takes away the owner role, and the last owner stays.
 */
import { Type } from '@sinclair/typebox';
import { AuditEntry, Bodies, Invitation, ProjectMember, User as UserModel } from './contract/accounts.js';
import { errors, Id, Limit, ProjectParams } from './contract/common.js';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../accounts/context.js';
import { audit } from '../accounts/audit.js';
import { hashSecret, newSecret } from '../accounts/secrets.js';
import { bodyOf, emailField, idList, roleField, textField } from '../accounts/validate.js';
import { HttpError } from '../errors.js';
import type { Role, User } from '../store/account-types.js';
import type { Store } from '../store/types.js';
import { requireProject, requireRole } from './auth.js';
import { publicUrl } from './http.js';
import { idParam, limitParam, stringParam } from './raw-params.js';

export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

async function existingProjects(store: Store, ids: number[]): Promise<number[]> {
  const known = new Set((await store.listProjects()).map((p) => p.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) throw new HttpError(400, 'invalid_body', `no project with id ${missing.join(', ')}`);
  return ids;
}

export async function userRoutes(app: FastifyInstance, ctx: AccountsContext) {
  const { store } = ctx;

  app.get('/api/0/users/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: 'List people (admins)', response: { 200: Type.Array(UserModel), ...errors(401, 403) } } }, async (request) => {
    await requireRole(request, store, 'admin');
    return store.listUsers();
  });

  app.put('/api/0/users/:userId/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: "Change a person's role, projects or name (admins)", params: Type.Object({ userId: Id }), body: Bodies.userChange, response: { 200: UserModel, ...errors(400, 401, 403, 404, 409) } } }, async (request) => {
    const actor = await requireRole(request, store, 'admin');
    const target = await store.getUser(idParam((request.params as { userId: string }).userId, 'user'));
    if (!target) throw new HttpError(404, 'not_found', 'user not found');
    const body = bodyOf(request.body);
    const role = body.role === undefined ? undefined : roleField(body.role);
    const projectIds = body.projectIds === undefined ? undefined : await existingProjects(store, idList(body.projectIds, 'projectIds'));
    const name = textField(body.name, 'name', 100, { optional: true, allowEmpty: true });
    const touchesOwner = target.role === 'owner' || role === 'owner';
    if (role !== undefined && role !== target.role && touchesOwner && actor.role !== 'owner') {
      throw new HttpError(403, 'forbidden', 'Only an owner grants or removes the owner role');
    }
    if (target.role === 'owner' && role !== undefined && role !== 'owner' && (await store.countOwners()) <= 1) {
      throw new HttpError(409, 'last_owner', 'This is the last owner: make someone else owner first');
    }
    const updated = (await store.updateUser(target.id, { role, projectIds, name }))!;
    if (role !== undefined && role !== target.role) {
      await audit(store, request, 'user.role_changed', target.email, { from: target.role, to: role });
      // A lowered role must not live on in open sessions' cached views: sessions re-read the user per request.
    }
    if (projectIds !== undefined) await audit(store, request, 'user.projects_changed', target.email, { from: target.projectIds, to: updated.projectIds });
    return updated;
  });

  app.delete('/api/0/users/:userId/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: 'Remove a person (admins)', params: Type.Object({ userId: Id }), response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) } } }, async (request, reply) => {
    const actor = await requireRole(request, store, 'admin');
    const target = await store.getUser(idParam((request.params as { userId: string }).userId, 'user'));
    if (!target) throw new HttpError(404, 'not_found', 'user not found');
    if (target.role === 'owner' && actor.role !== 'owner') throw new HttpError(403, 'forbidden', 'Only an owner removes an owner');
    if (target.role === 'owner' && (await store.countOwners()) <= 1) throw new HttpError(409, 'last_owner', 'This is the last owner: make someone else owner first');
    await store.deleteUser(target.id);
    await audit(store, request, 'user.deleted', target.email, { role: target.role });
    reply.code(204);
  });

  /** Who can see a project: its members, and every owner and admin. Any member of the project may read it. */
  app.get('/api/0/projects/:projectId/members/', { schema: { tags: ['people'], summary: 'Who can see the project', params: ProjectParams, response: { 200: Type.Array(ProjectMember), ...errors(400, 401, 404) } } }, async (request) => {
    const { project } = await requireProject(request, store);
    const users = await store.listUsers();
    return users
      .filter((u: User) => u.role === 'owner' || u.role === 'admin' || u.projectIds.includes(project.id))
      .map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, viaRole: u.role === 'owner' || u.role === 'admin' }));
  });

  app.get('/api/0/invitations/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: 'Pending invitations (admins)', response: { 200: Type.Array(Invitation), ...errors(401, 403) } } }, async (request) => {
    await requireRole(request, store, 'admin');
    const links = await store.listOneTimeLinks('invite', Date.now());
    return links.map((l) => ({ id: l.id, email: l.email, role: l.role, projectIds: l.projectIds, createdAt: l.createdAt, expiresAt: l.expiresAt }));
  });

  app.post('/api/0/invitations/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: 'Invite someone by link (and e-mail when SMTP is configured)', body: Bodies.invite, response: { 201: Invitation, ...errors(400, 401, 403, 409) } } }, async (request, reply) => {
    const actor = await requireRole(request, store, 'admin');
    const body = bodyOf(request.body);
    const email = emailField(body.email);
    const role: Role = roleField(body.role ?? 'member');
    if (role === 'owner' && actor.role !== 'owner') throw new HttpError(403, 'forbidden', 'Only an owner invites an owner');
    const projectIds = await existingProjects(store, body.projectIds === undefined ? [] : idList(body.projectIds, 'projectIds'));
    if (await store.findUserByEmail(email)) throw new HttpError(409, 'user_exists', `${email} already has an account`);
    const secret = newSecret();
    const link = await store.createOneTimeLink({
      purpose: 'invite',
      tokenHash: hashSecret(secret),
      email,
      role,
      projectIds,
      createdBy: actor.user?.id ?? null,
      expiresAt: Date.now() + INVITE_TTL_MS,
    });
    const url = `${publicUrl(request, ctx.config.publicUrl)}/accept-invite#token=${secret}`;
    let emailed = false;
    if (ctx.mailer) {
      await ctx.mailer.send(email, 'You are invited to Proliferate', `${actor.label} invited you to Proliferate as ${role}.\n\nCreate your account (the link works once, until ${link.expiresAt}):\n${url}\n`);
      emailed = true;
    }
    await audit(store, request, 'invitation.created', email, { role, projectIds, emailed });
    reply.code(201);
    return { id: link.id, email, role, projectIds, expiresAt: link.expiresAt, url, emailed };
  });

  app.delete('/api/0/invitations/:invitationId/', { config: { role: 'admin' }, schema: { tags: ['people'], summary: 'Revoke a pending invitation (admins)', params: Type.Object({ invitationId: Id }), response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (request, reply) => {
    await requireRole(request, store, 'admin');
    const id = idParam((request.params as { invitationId: string }).invitationId, 'invitation');
    if (!(await store.deleteOneTimeLink(id, 'invite'))) throw new HttpError(404, 'not_found', 'invitation not found');
    await audit(store, request, 'invitation.revoked', String(id));
    reply.code(204);
  });

  app.get('/api/0/audit-log/', { config: { role: 'owner' }, schema: { tags: ['people'], summary: 'The audit log, newest first (owners)', querystring: Type.Object({ limit: Limit(50, 500), cursor: Type.Optional(Type.String({ maxLength: 20, description: 'The last id of the previous page' })) }), response: { 200: Type.Array(AuditEntry), ...errors(400, 401, 403) } } }, async (request) => {
    await requireRole(request, store, 'owner');
    const q = request.query as Record<string, unknown>;
    const cursor = stringParam(q.cursor, 'cursor');
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new HttpError(400, 'invalid_cursor', 'cursor must be an entry id from a previous page');
    return store.listAudit(limitParam(q.limit, 50, 500), cursor === undefined ? undefined : Number(cursor));
  });
}
