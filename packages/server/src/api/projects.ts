import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dsnFor } from '../config.js';
import type { ProjectKeyCache } from '../ingest/project-keys.js';
import { eventView } from '../digest/event-view.js';
import { readStoredEvent } from '../digest/stored-event.js';
import { HttpError } from '../errors.js';
import { ISSUE_STATUSES, type IssueSort, type IssueStatus, type Project, type Store } from '../store/types.js';
import { audit } from '../accounts/audit.js';
import { canSeeProject, requireProject, requireRole, requireToken } from './auth.js';
import { keyCursor, limitParam, publicUrl, sendPage, stringParam } from './http.js';
import { encodeCursor } from '../store/cursor.js';
import { searchFilter } from './search-params.js';
import { statsRange } from './stats-range.js';

const SORTS = new Set<IssueSort>(['date', 'new', 'freq', 'users']);

export async function projectRoutes(app: FastifyInstance, options: { store: Store; publicUrl?: string; keys: ProjectKeyCache }) {
  const { store } = options;

  const loadProject = async (request: FastifyRequest) => (await requireProject(request, store)).project;

  const withDsn = async (project: Project, base: string) => ({
    ...project,
    ...(await store.getProjectSettings(project.id)),
    dsn: dsnFor(base, project.publicKey, project.id),
  });

  app.get('/api/0/projects/', async (request) => {
    const token = await requireToken(request, store);
    const base = publicUrl(request, options.publicUrl);
    const projects = await store.listProjects();
    return Promise.all(projects.filter((p) => canSeeProject(token, p.id)).map((p) => withDsn(p, base)));
  });

  app.post('/api/0/projects/', async (request, reply) => {
    await requireRole(request, store, 'admin');
    const body = request.body as { name?: unknown; slug?: unknown } | undefined;
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 100) throw new HttpError(400, 'invalid_body', 'name is required: text of 1 to 100 characters');
    if (body?.slug !== undefined && (typeof body.slug !== 'string' || !/^[a-z0-9-]{1,40}$/.test(body.slug))) {
      throw new HttpError(400, 'invalid_body', 'slug must be 1 to 40 lowercase letters, digits or dashes');
    }
    const project = await store.createProject({ name, slug: body?.slug as string | undefined });
    await audit(store, request, 'project.created', project.slug, { id: project.id, name });
    reply.code(201);
    return withDsn(project, publicUrl(request, options.publicUrl));
  });

  app.get('/api/0/projects/:projectId/', async (request) => {
    const project = await loadProject(request);
    return withDsn(project, publicUrl(request, options.publicUrl));
  });

  app.get('/api/0/projects/:projectId/keys/', async (request) => {
    const project = await loadProject(request);
    const base = publicUrl(request, options.publicUrl);
    const keys = await store.listProjectKeys(project.id);
    return keys.map((k) => ({ ...k, dsn: dsnFor(base, k.publicKey, project.id) }));
  });

  // Key rotation: create the new key, move clients to its DSN, then revoke the old one. A revoked
  // key is refused at once by this server (other processes on the same store: within 10 s).
  app.post('/api/0/projects/:projectId/keys/', async (request, reply) => {
    const { project } = await requireProject(request, store, { role: 'admin' });
    const body = (request.body ?? {}) as { label?: unknown };
    if (body.label !== undefined && (typeof body.label !== 'string' || body.label.trim() === '' || body.label.length > 100)) {
      throw new HttpError(400, 'invalid_body', 'label must be text of 1 to 100 characters');
    }
    const key = await store.createProjectKey(project.id, typeof body.label === 'string' ? body.label.trim() : 'Default');
    await audit(store, request, 'key.created', key.publicKey, { project: project.slug, label: key.label });
    reply.code(201);
    return { ...key, dsn: dsnFor(publicUrl(request, options.publicUrl), key.publicKey, project.id) };
  });

  app.delete('/api/0/projects/:projectId/keys/:publicKey/', async (request, reply) => {
    const { project } = await requireProject(request, store, { role: 'admin' });
    const { publicKey } = request.params as { publicKey: string };
    const outcome = await store.revokeProjectKey(project.id, publicKey);
    if (outcome === 'revoked') options.keys.forget(publicKey);
    if (outcome === 'not_found') throw new HttpError(404, 'not_found', 'no active key with that name in this project');
    if (outcome === 'last_key') throw new HttpError(409, 'last_key', "this is the project's only active key: create its replacement first");
    await audit(store, request, 'key.revoked', publicKey, { project: project.slug });
    reply.code(204);
  });

  app.get('/api/0/projects/:projectId/issues/', async (request, reply) => {
    const project = await loadProject(request);
    const q = request.query as Record<string, unknown>;
    const sort = (stringParam(q.sort, 'sort') ?? 'date') as IssueSort;
    if (!SORTS.has(sort)) throw new HttpError(400, 'invalid_parameter', 'sort must be one of date, new, freq, users');
    let page;
    try {
      page = await store.listIssues({
        projectId: project.id,
        filter: searchFilter(q),
        sort,
        limit: limitParam(q.limit, 25),
        cursor: stringParam(q.cursor, 'cursor'),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
    const statsPeriod = stringParam(q.statsPeriod, 'statsPeriod');
    if (statsPeriod) {
      const range = statsRange(statsPeriod, statsPeriod.endsWith('h') || statsPeriod.endsWith('m') ? undefined : '1d');
      const stats = await store.issueStats(page.items.map((i) => i.id), range);
      const items = page.items.map((issue) => ({ ...issue, stats: stats.get(issue.id) ?? [] }));
      return sendPage(request, reply, items, page.nextCursor);
    }
    return sendPage(request, reply, page.items, page.nextCursor);
  });

  // Bulk status change, Sentry style: PUT /projects/{id}/issues/?id=1&id=2 with {"status"}.
  app.put('/api/0/projects/:projectId/issues/', async (request) => {
    const project = await loadProject(request);
    const rawIds = (request.query as Record<string, unknown>).id;
    const list = rawIds === undefined ? [] : Array.isArray(rawIds) ? rawIds : [rawIds];
    const ids = list.map((id) => Number(id));
    if (ids.length === 0 || ids.length > 1000 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
      throw new HttpError(400, 'invalid_parameter', 'give 1 to 1000 issue ids as ?id=1&id=2');
    }
    const body = request.body as { status?: unknown } | undefined;
    if (typeof body?.status !== 'string' || !ISSUE_STATUSES.includes(body.status as IssueStatus)) {
      throw new HttpError(400, 'invalid_body', `status must be one of ${ISSUE_STATUSES.join(', ')}`);
    }
    const updated = await store.setIssuesStatus(project.id, ids, body.status as IssueStatus);
    return { status: body.status, updated };
  });

  app.get('/api/0/projects/:projectId/events/', async (request, reply) => {
    const project = await loadProject(request);
    const q = request.query as Record<string, unknown>;
    try {
      const page = await store.listEvents({ projectId: project.id, filter: searchFilter(q), limit: limitParam(q.limit, 50), cursor: stringParam(q.cursor, 'cursor') });
      return sendPage(request, reply, page.items, page.nextCursor);
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
  });

  app.get('/api/0/projects/:projectId/events/:eventId/', async (request) => {
    const params = request.params as { projectId: string; eventId: string };
    const project = await loadProject(request);
    const eventId = params.eventId.replace(/-/g, '').toLowerCase();
    const event = await store.getEvent(project.id, eventId);
    if (!event) throw new HttpError(404, 'not_found', 'event not found');
    return eventView(readStoredEvent(event));
  });

  app.get('/api/0/projects/:projectId/tags/', async (request, reply) => {
    const project = await loadProject(request);
    const q = request.query as Record<string, unknown>;
    const limit = limitParam(q.limit, 100, 1000);
    const rows = await store.projectTagKeys(project.id, { afterKey: keyCursor(q.cursor), limit: limit + 1 });
    const page = rows.slice(0, limit);
    return sendPage(request, reply, page, rows.length > limit ? encodeCursor(page.at(-1)!.key, 0) : null);
  });

  app.get('/api/0/projects/:projectId/tags/:key/values/', async (request) => {
    const params = request.params as { projectId: string; key: string };
    const project = await loadProject(request);
    const q = request.query as Record<string, unknown>;
    const prefix = stringParam(q.query, 'query') ?? '';
    return store.projectTagValues(project.id, params.key, prefix.slice(0, 200), limitParam(q.limit, 20, 1000));
  });
}
