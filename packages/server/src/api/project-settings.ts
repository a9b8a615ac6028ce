/**
 * Project settings (seed 001): name, slug, description, platform, linked repository; renaming and
 * rotating keys; deleting a project (the body repeats its slug). Admins and owners only.
 */
import { Type } from '@sinclair/typebox';
import { Bodies } from './contract/accounts.js';
import { errors, Id, ProjectParams } from './contract/common.js';
import { Project, ProjectKey } from './contract/models.js';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../accounts/context.js';
import { audit } from '../accounts/audit.js';
import { bodyOf, textField } from '../accounts/validate.js';
import { dsnFor } from '../config.js';
import { HttpError } from '../errors.js';
import type { ProjectKeyCache } from '../ingest/project-keys.js';
import type { ProjectChanges, Repository } from '../store/account-types.js';
import { requireProject, requireRole } from './auth.js';
import { publicUrl } from './http.js';

const invalid = (message: string) => new HttpError(400, 'invalid_body', message);
const REPO_HOSTS = ['github.com', 'gitlab.com', 'bitbucket.org'];

/** https://github.com/org/repo (GitLab: groups and subgroups), without .git or a trailing slash. */
export function repositoryField(value: unknown): Repository | null {
  if (value === null) return null;
  const body = bodyOf(value);
  const text = textField(body.url, 'repository.url', 300)!;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('repository.url must be the https:// URL of a GitHub, GitLab or Bitbucket repository');
  }
  const parts = url.pathname.replace(/\.git$/, '').split('/').filter(Boolean);
  const selfHostedGitlab = !REPO_HOSTS.includes(url.hostname) && /(^|\.)gitlab\./.test(url.hostname);
  if (url.protocol !== 'https:' || (!REPO_HOSTS.includes(url.hostname) && !selfHostedGitlab) || parts.length < 2 || url.search || url.hash || url.username) {
    throw invalid('repository.url must be the https:// URL of a GitHub, GitLab or Bitbucket repository, e.g. https://github.com/acme/shop');
  }
  if ((url.hostname === 'github.com' || url.hostname === 'bitbucket.org') && parts.length !== 2) throw invalid('repository.url must name owner/repository only');
  if (parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p))) throw invalid('repository.url has characters a repository path cannot have');
  const defaultBranch = textField(body.defaultBranch ?? 'main', 'repository.defaultBranch', 200)!;
  if (!/^[A-Za-z0-9._/-]+$/.test(defaultBranch) || defaultBranch.includes('..')) throw invalid('repository.defaultBranch must be a branch name');
  return { url: `https://${url.hostname}/${parts.join('/')}`, defaultBranch };
}

export async function projectSettingsRoutes(app: FastifyInstance, ctx: AccountsContext & { keys: ProjectKeyCache }) {
  const { store } = ctx;

  app.put('/api/0/projects/:projectId/', { config: { role: 'admin' }, schema: { tags: ['projects'], summary: 'Change project settings: name, slug, description, platform, linked repository (admins)', params: ProjectParams, body: Bodies.projectChange, response: { 200: Project, ...errors(400, 401, 403, 404, 409) } } }, async (request) => {
    const { project } = await requireProject(request, store, undefined, { role: 'admin' });
    const body = bodyOf(request.body);
    const changes: ProjectChanges = {};
    if (body.name !== undefined) changes.name = textField(body.name, 'name', 100);
    if (body.slug !== undefined) {
      if (typeof body.slug !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(body.slug)) throw invalid('slug must be 1 to 40 lowercase letters, digits or dashes');
      changes.slug = body.slug;
    }
    if (body.description !== undefined) changes.description = textField(body.description, 'description', 1000, { allowEmpty: true });
    if (body.platform !== undefined) {
      if (body.platform !== null && (typeof body.platform !== 'string' || !/^[a-z0-9._-]{1,40}$/.test(body.platform))) throw invalid('platform must be a platform name such as javascript, node or python, or null');
      changes.platform = body.platform as string | null;
    }
    if (body.repository !== undefined) changes.repository = repositoryField(body.repository);
    const outcome = await store.updateProject(project.id, changes);
    if (outcome === 'not_found') throw new HttpError(404, 'not_found', 'project not found');
    if (outcome === 'slug_taken') throw new HttpError(409, 'slug_taken', `another project already has the slug ${changes.slug}`);
    await audit(store, request, 'project.updated', project.slug, { fields: Object.keys(changes) });
    const updated = (await store.getProject(project.id))!;
    return { ...updated, ...(await store.getProjectSettings(project.id)), dsn: dsnFor(publicUrl(request, ctx.config.publicUrl), updated.publicKey, updated.id) };
  });

  app.delete('/api/0/projects/:projectId/', { config: { role: 'admin' }, schema: { tags: ['projects'], summary: 'Delete a project; the body repeats its slug (admins)', params: ProjectParams, querystring: Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 100 })) }), response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (request, reply) => {
    const { project } = await requireProject(request, store);
    await requireRole(request, store, 'admin');
    const confirm = bodyOf(request.body).confirm ?? (request.query as Record<string, unknown>).confirm;
    if (confirm !== project.slug) throw new HttpError(400, 'confirmation_required', `To delete this project, send {"confirm": "${project.slug}"} (its slug)`);
    const keys = (await store.deleteProject(project.id)) ?? [];
    for (const key of keys) ctx.keys.forget(key);
    await audit(store, request, 'project.deleted', project.slug, { id: project.id, name: project.name });
    reply.code(204);
  });

  app.put('/api/0/projects/:projectId/keys/:publicKey/', { config: { role: 'admin' }, schema: { tags: ['projects'], summary: 'Rename a key (admins)', params: Type.Object({ projectId: Id, publicKey: Type.String({ maxLength: 100 }) }), body: Bodies.keyLabel, response: { 200: ProjectKey, ...errors(400, 401, 403, 404) } } }, async (request) => {
    const { project } = await requireProject(request, store, undefined, { role: 'admin' });
    const { publicKey } = request.params as { publicKey: string };
    const label = textField(bodyOf(request.body).label, 'label', 100)!;
    if (!(await store.renameProjectKey(project.id, publicKey, label))) throw new HttpError(404, 'not_found', 'no active key with that name in this project');
    await audit(store, request, 'key.renamed', publicKey, { project: project.slug, label });
    const key = (await store.listProjectKeys(project.id)).find((k) => k.publicKey === publicKey)!;
    return { ...key, dsn: dsnFor(publicUrl(request, ctx.config.publicUrl), key.publicKey, project.id) };
  });

  // Rotation in one step, for a key that leaked: the replacement is made, the old key stops at once.
  app.post('/api/0/projects/:projectId/keys/:publicKey/rotate/', { config: { role: 'admin' }, schema: { tags: ['projects'], summary: 'Rotate a key: a new DSN replaces it, the old one is refused at once (admins)', params: Type.Object({ projectId: Id, publicKey: Type.String({ maxLength: 100 }) }), response: { 201: ProjectKey, ...errors(400, 401, 403, 404) } } }, async (request, reply) => {
    const { project } = await requireProject(request, store, undefined, { role: 'admin' });
    const { publicKey } = request.params as { publicKey: string };
    const old = (await store.listProjectKeys(project.id)).find((k) => k.publicKey === publicKey);
    if (!old) throw new HttpError(404, 'not_found', 'no active key with that name in this project');
    const key = await store.createProjectKey(project.id, old.label);
    await store.revokeProjectKey(project.id, publicKey);
    ctx.keys.forget(publicKey);
    await audit(store, request, 'key.rotated', publicKey, { project: project.slug, replacement: key.publicKey });
    reply.code(201);
    return { ...key, dsn: dsnFor(publicUrl(request, ctx.config.publicUrl), key.publicKey, project.id) };
  });
}
