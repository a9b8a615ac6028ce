/**
 * Retention settings, deleting an issue or an event, and GDPR erasure of one person
 * (docs/operations.md). Deletions need the admin role in the project; they run in batches within
 * the request and are idempotent, so an interrupted one is finished by calling it again.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../accounts/audit.js';
import type { RetentionConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { runBatches } from '../lifecycle/batches.js';
import { eraseUser } from '../lifecycle/erasure.js';
import type { Store } from '../store/types.js';
import { atLeast, canSeeProject, forbid, requireIssue, requireProject, requireRole, requireToken } from './auth.js';
import { errors, IssueParams, ProjectParams } from './contract/common.js';
import { DeletionResult, ErasureRequest, ErasureResult, RetentionChange, RetentionSettings } from './contract/lifecycle.js';
import { typed } from './typed.js';

export async function lifecycleRoutes(fastify: FastifyInstance, options: { store: Store; retention: RetentionConfig }) {
  const app = typed(fastify);
  const { store, retention } = options;

  const settingsOf = async (projectId: number) => {
    const settings = await store.getProjectRetention(projectId);
    return {
      ...settings,
      defaultRetentionDays: retention.defaultDays,
      effectiveRetentionDays: settings.retentionDays ?? retention.defaultDays,
      storageBytes: await store.projectStorageBytes(projectId),
    };
  };

  app.get(
    '/api/0/projects/:projectId/retention/',
    { schema: { tags: ['projects'], summary: "The project's retention and storage budget", params: ProjectParams, response: { 200: RetentionSettings, ...errors(400, 401, 404) } } },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      return settingsOf(project.id);
    },
  );

  app.put(
    '/api/0/projects/:projectId/retention/',
    {
      config: { role: 'admin' },
      schema: { tags: ['projects'], summary: "Change the project's retention and storage budget (admins)", params: ProjectParams, body: RetentionChange, response: { 200: RetentionSettings, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId, { role: 'admin' });
      const current = await store.getProjectRetention(project.id);
      const next = {
        retentionDays: request.body.retentionDays === undefined ? current.retentionDays : request.body.retentionDays,
        storageBudgetBytes: request.body.storageBudgetBytes === undefined ? current.storageBudgetBytes : request.body.storageBudgetBytes,
      };
      await store.setProjectRetention(project.id, next);
      await audit(store, request, 'project.retention_changed', project.slug, next);
      return settingsOf(project.id);
    },
  );

  app.delete(
    '/api/0/issues/:issueId/',
    { schema: { tags: ['issues'], summary: 'Delete an issue with all its events (admins)', params: IssueParams, response: { 200: DeletionResult, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      await requireRole(request, store, 'admin', issue.projectId);
      const done = await runBatches(() => store.deleteIssueBatch(issue.projectId, issue.id, retention.batchSize), retention.pauseMs);
      await audit(store, request, 'issue.deleted', String(issue.id), { projectId: issue.projectId, title: issue.title, events: done.events });
      return { events: done.events };
    },
  );

  app.delete(
    '/api/0/projects/:projectId/events/:eventId/',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['events'],
        summary: 'Delete one event (admins)',
        params: Type.Object({ projectId: ProjectParams.properties.projectId, eventId: Type.String({ pattern: '^[0-9a-fA-F-]{32,36}$', description: 'The event id (32 hex digits)' }) }),
        response: { 200: DeletionResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId, { role: 'admin' });
      const eventId = request.params.eventId.replace(/-/g, '').toLowerCase();
      if (!(await store.deleteEvent(project.id, eventId))) throw new HttpError(404, 'not_found', 'event not found');
      await audit(store, request, 'event.deleted', eventId, { projectId: project.id });
      return { events: 1 };
    },
  );

  app.post(
    '/api/0/erasures/',
    {
      schema: {
        tags: ['projects'],
        summary: "GDPR erasure: delete every event and replay about one person (user.id or e-mail) in the projects the caller administers",
        body: ErasureRequest,
        response: { 200: ErasureResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = await requireToken(request, store);
      if (!atLeast(principal.role, 'admin')) forbid(principal, 'admin');
      const { userId, email, projectIds } = request.body;
      if ((userId === undefined) === (email === undefined)) throw new HttpError(400, 'invalid_body', 'Send exactly one of userId or email');
      const visible = (await store.listProjects()).filter((p) => canSeeProject(principal, p.id));
      let projects = visible.map((p) => p.id);
      if (projectIds) {
        const missing = projectIds.filter((id) => !projects.includes(id));
        if (missing.length > 0) throw new HttpError(404, 'not_found', `project not found: ${missing.join(', ')}`);
        projects = projectIds;
      }
      const subject = userId !== undefined ? { field: 'id' as const, value: userId } : { field: 'email' as const, value: email! };
      const result = await eraseUser(store, projects, subject, retention);
      // The audit log records that an erasure happened, never whom it was about.
      await audit(store, request, 'user.erased', null, { field: subject.field, projects, events: result.events, replays: result.replays });
      return result;
    },
  );
}
