import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dsnFor } from '../config.js';
import type { ProjectKeyCache } from '../ingest/project-keys.js';
import { eventView } from '../digest/event-view.js';
import { readStoredEvent } from '../digest/stored-event.js';
import { HttpError } from '../errors.js';
import type { Issue as StoredIssue, Project as StoredProject, Store } from '../store/types.js';
import { audit } from '../accounts/audit.js';
import { canSeeProject, requireProject, requireRole, requireToken } from './auth.js';
import { Cursor, errors, Id, Limit, ProjectParams, SearchQuery, StringEnum } from './contract/common.js';
import { Event, EventSummary, Issue, IssueStatus, Project, ProjectKey, ProjectTagKey, ProjectTagValue } from './contract/models.js';
import { keyCursor, publicUrl, sendPage, withCursor } from './http.js';
import { encodeCursor } from '../store/cursor.js';
import { typed } from './typed.js';
import { searchFilter } from './search-params.js';
import { statsRange } from './stats-range.js';
import { filtersEvents } from './filtered-count.js';
import { AssignTo, BulkUpdateResult } from './contract/issue-workflow.js';
import { assignIssues, mergeIssues, recordStatusChange, resolveAssignee, resolveAssigneeSearch } from './issue-workflow.js';

const tags = ['projects'];
const EventId = Type.String({ minLength: 1, maxLength: 64, description: '32 hexadecimal digits (dashes allowed)' });

export async function projectRoutes(fastify: FastifyInstance, options: { store: Store; publicUrl?: string; keys: ProjectKeyCache }) {
  const app = typed(fastify);
  const { store } = options;

  const loadProject = async (request: FastifyRequest, id: number) => (await requireProject(request, store, id)).project;
  const withDsn = async (project: StoredProject, base: string) => ({
    ...project,
    ...(await store.getProjectSettings(project.id)),
    dsn: dsnFor(base, project.publicKey, project.id),
  });

  app.get(
    '/api/0/projects/',
    { schema: { tags, summary: 'List the projects the token may see', response: { 200: Type.Array(Project), ...errors(401) } } },
    async (request) => {
      const token = await requireToken(request, store);
      const base = publicUrl(request, options.publicUrl);
      const projects = await store.listProjects();
      return Promise.all(projects.filter((p) => canSeeProject(token, p.id)).map((p) => withDsn(p, base)));
    },
  );

  app.post(
    '/api/0/projects/',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Create a project',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
          slug: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$', description: '1 to 40 lowercase letters, digits or dashes' })),
        }),
        response: { 201: Project, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await requireRole(request, store, 'admin');
      const project = await store.createProject({ name: request.body.name.trim(), slug: request.body.slug });
      await audit(store, request, 'project.created', project.slug, { id: project.id, name: project.name });
      reply.code(201);
      return withDsn(project, publicUrl(request, options.publicUrl));
    },
  );

  app.get(
    '/api/0/projects/:projectId/',
    { schema: { tags, summary: 'One project', params: ProjectParams, response: { 200: Project, ...errors(400, 401, 404) } } },
    async (request) => withDsn(await loadProject(request, request.params.projectId), publicUrl(request, options.publicUrl)),
  );

  app.get(
    '/api/0/projects/:projectId/keys/',
    { schema: { tags, summary: "The project's active client keys (DSNs)", params: ProjectParams, response: { 200: Type.Array(ProjectKey), ...errors(400, 401, 404) } } },
    async (request) => {
      const project = await loadProject(request, request.params.projectId);
      const base = publicUrl(request, options.publicUrl);
      const keys = await store.listProjectKeys(project.id);
      return keys.map((k) => ({ ...k, dsn: dsnFor(base, k.publicKey, project.id) }));
    },
  );

  // Key rotation: create the new key, move clients to its DSN, then revoke the old one. A revoked
  // key is refused at once by this server (other processes on the same store: within 10 s).
  app.post(
    '/api/0/projects/:projectId/keys/',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Create a client key (for rotation)',
        params: ProjectParams,
        body: Type.Object({ label: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })) }),
        response: { 201: ProjectKey, ...errors(400, 401, 404) },
      },
      // The body is optional (no label: "Default"); Ajv would refuse a missing one as "must be object".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId, { role: 'admin' });
      const key = await store.createProjectKey(project.id, request.body.label?.trim() ?? 'Default');
      await audit(store, request, 'key.created', key.publicKey, { project: project.slug, label: key.label });
      reply.code(201);
      return { ...key, dsn: dsnFor(publicUrl(request, options.publicUrl), key.publicKey, project.id) };
    },
  );

  app.delete(
    '/api/0/projects/:projectId/keys/:publicKey/',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Revoke a client key',
        params: Type.Object({ projectId: Id, publicKey: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 204: Type.Null({ description: 'Revoked' }), ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId, { role: 'admin' });
      const { publicKey } = request.params;
      const outcome = await store.revokeProjectKey(project.id, publicKey);
      if (outcome === 'revoked') options.keys.forget(publicKey);
      if (outcome === 'not_found') throw new HttpError(404, 'not_found', 'no active key with that name in this project');
      if (outcome === 'last_key') throw new HttpError(409, 'last_key', "this is the project's only active key: create its replacement first");
      await audit(store, request, 'key.revoked', publicKey, { project: project.slug });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/0/projects/:projectId/issues/',
    {
      schema: {
        tags,
        summary: 'Search issues (docs/search.md); paginated with the Link header',
        params: ProjectParams,
        querystring: Type.Object({
          ...SearchQuery,
          sort: Type.Optional(StringEnum(['date', 'new', 'freq', 'users'] as const, { default: 'date' })),
          limit: Limit(25, 100),
          cursor: Cursor,
          statsPeriod: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}[mhdw]$', description: 'Adds stats: events per bucket over this period (24h, 14d)' })),
        }),
        response: { 200: Type.Array(Issue), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const project = await loadProject(request, request.params.projectId);
      const q = request.query;
      const filter = await resolveAssigneeSearch(request, store, searchFilter(q));
      const page = await withCursor('invalid_cursor', () =>
        store.listIssues({ projectId: project.id, filter, sort: q.sort ?? 'date', limit: q.limit ?? 25, cursor: q.cursor }),
      );
      const { statsPeriod } = q;
      let items: Array<StoredIssue & { stats?: number[]; filtered?: { count: number } }> = page.items;
      if (statsPeriod) {
        const range = statsRange(statsPeriod, statsPeriod.endsWith('h') || statsPeriod.endsWith('m') ? undefined : '1d');
        const stats = await store.issueStats(page.items.map((i) => i.id), range);
        items = items.map((issue) => ({ ...issue, stats: stats.get(issue.id) ?? [] }));
      }
      if (filtersEvents(filter)) {
        const counts = await store.filteredIssueCounts(project.id, filter, page.items.map((i) => i.id));
        items = items.map((issue) => ({ ...issue, filtered: { count: counts.get(issue.id) ?? 0 } }));
      }
      return sendPage(request, reply, items, page.nextCursor);
    },
  );

  // Bulk status change and assignment, Sentry style: PUT /projects/{id}/issues/?id=1&id=2 with
  // {"status"} and/or {"assignedTo"}, or {"merge": 1} (docs/triage.md).
  app.put(
    '/api/0/projects/:projectId/issues/',
    {
      schema: {
        tags,
        summary: 'Set the status of several issues, assign them, or merge them',
        params: ProjectParams,
        querystring: Type.Object({ id: Type.Array(Id, { minItems: 1, maxItems: 1000, description: 'Issue ids: ?id=1&id=2' }) }),
        body: Type.Object({
          status: Type.Optional(IssueStatus),
          assignedTo: Type.Optional(AssignTo),
          merge: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(true)], { description: 'Merge the issues into the one with the most events' })),
        }),
        response: { 200: BulkUpdateResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const project = await loadProject(request, request.params.projectId);
      const { status, assignedTo, merge } = request.body;
      const principal = await requireToken(request, store);
      if (merge !== undefined) {
        if (status !== undefined || assignedTo !== undefined) throw new HttpError(400, 'invalid_body', 'merge is sent alone, without status or assignedTo', {}, { field: 'body.merge' });
        const merged = await mergeIssues(store, principal, project.id, request.query.id);
        return { merge: { parent: merged.parent, children: merged.children }, updated: merged.children.length };
      }
      if (status === undefined && assignedTo === undefined) {
        throw new HttpError(400, 'invalid_body', 'send status, assignedTo or merge', {}, { field: 'body' });
      }
      const ids = await store.projectIssueIds(project.id, request.query.id);
      // The assignee is checked before any change, so a bad one changes nothing.
      const assignee = assignedTo === undefined ? undefined : await resolveAssignee(store, principal, project.id, assignedTo);
      let updated = 0;
      if (status !== undefined) {
        updated = await store.setIssuesStatus(project.id, ids, status);
        await recordStatusChange(store, principal, project.id, ids, status);
        // A status set by hand ends any snooze (docs/triage.md).
        for (const id of ids) await store.clearIssueSnooze(id);
      }
      if (assignee !== undefined) {
        const changed = await assignIssues(store, principal, project.id, ids, assignee);
        if (status === undefined) updated = changed.length;
      }
      return {
        ...(status !== undefined && { status }),
        ...(assignee !== undefined && { assignedTo: assignee && { id: assignee.id, email: assignee.email, name: assignee.name } }),
        updated,
      };
    },
  );

  app.get(
    '/api/0/projects/:projectId/events/',
    {
      schema: {
        tags,
        summary: "Search the project's events, newest first",
        params: ProjectParams,
        querystring: Type.Object({ ...SearchQuery, limit: Limit(50, 100), cursor: Cursor }),
        response: { 200: Type.Array(EventSummary), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const project = await loadProject(request, request.params.projectId);
      const q = request.query;
      const filter = await resolveAssigneeSearch(request, store, searchFilter(q));
      const page = await withCursor('invalid_cursor', () => store.listEvents({ projectId: project.id, filter, limit: q.limit ?? 50, cursor: q.cursor }));
      return sendPage(request, reply, page.items, page.nextCursor);
    },
  );

  app.get(
    '/api/0/projects/:projectId/events/:eventId/',
    { schema: { tags, summary: 'One event with its payload', params: Type.Object({ projectId: Id, eventId: EventId }), response: { 200: Event, ...errors(400, 401, 404) } } },
    async (request) => {
      const project = await loadProject(request, request.params.projectId);
      const event = await store.getEvent(project.id, request.params.eventId.replace(/-/g, '').toLowerCase());
      if (!event) throw new HttpError(404, 'not_found', 'event not found');
      return eventView(readStoredEvent(event));
    },
  );

  app.get(
    '/api/0/projects/:projectId/tags/',
    {
      schema: {
        tags,
        summary: "The project's tag keys, paged by key",
        params: ProjectParams,
        querystring: Type.Object({ limit: Limit(100, 1000), cursor: Cursor }),
        response: { 200: Type.Array(ProjectTagKey), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const project = await loadProject(request, request.params.projectId);
      const limit = request.query.limit ?? 100;
      const rows = await store.projectTagKeys(project.id, { afterKey: keyCursor(request.query.cursor), limit: limit + 1 });
      const page = rows.slice(0, limit);
      return sendPage(request, reply, page, rows.length > limit ? encodeCursor(page.at(-1)!.key, 0) : null);
    },
  );

  app.get(
    '/api/0/projects/:projectId/tags/:key/values/',
    {
      schema: {
        tags,
        summary: "A tag key's values, most frequent first (for search suggestions)",
        params: Type.Object({ projectId: Id, key: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ query: Type.Optional(Type.String({ maxLength: 200, description: 'Prefix of the value' })), limit: Limit(20, 1000) }),
        response: { 200: Type.Array(ProjectTagValue), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const project = await loadProject(request, request.params.projectId);
      return store.projectTagValues(project.id, request.params.key, request.query.query ?? '', request.query.limit ?? 20);
    },
  );
}
