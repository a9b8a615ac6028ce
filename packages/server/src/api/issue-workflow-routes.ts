import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/types.js';
import { requireIssue } from './auth.js';
import { errors, IssueParams, Limit } from './contract/common.js';
import { ActivityEntry, IssueHash, UnmergeResult } from './contract/issue-workflow.js';
import { HttpError } from '../errors.js';
import { requireToken } from './auth.js';
import { actorOf } from './issue-workflow.js';
import { typed } from './typed.js';

/** The activity history of an issue (docs/triage.md); assignment itself is a field of PUT /issues/{id}/. */
export async function issueWorkflowRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  app.get(
    '/api/0/issues/:issueId/activity/',
    {
      schema: {
        tags: ['issues'],
        summary: "The issue's activity, newest first: status changes, assignment, merges",
        params: IssueParams,
        querystring: Type.Object({
          limit: Limit(100, 500),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'Entries older than this entry id (the next page)' })),
        }),
        response: { 200: Type.Array(ActivityEntry), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      return store.listActivity(issue.id, request.query.limit ?? 100, request.query.before);
    },
  );

  app.get(
    '/api/0/issues/:issueId/hashes/',
    {
      schema: {
        tags: ['issues'],
        summary: 'The fingerprints grouped into the issue: its own, and those merged into it',
        params: IssueParams,
        response: { 200: Type.Array(IssueHash), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      return (await store.issueFingerprints(issue.id)).map((f) => ({ id: f.fingerprint, groupingVersion: f.groupingVersion, issueId: f.issueId, events: f.events, merged: f.merged }));
    },
  );

  // Sentry's unmerge: DELETE /issues/{id}/hashes/?id=<fingerprint>.
  app.delete(
    '/api/0/issues/:issueId/hashes/',
    {
      schema: {
        tags: ['issues'],
        summary: 'Unmerge: give merged fingerprints their own issue and events back',
        params: IssueParams,
        querystring: Type.Object({ id: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100, description: 'Fingerprints: ?id=a&id=b' }) }),
        response: { 200: UnmergeResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const principal = await requireToken(request, store);
      const fingerprints = await store.issueFingerprints(issue.id);
      const wanted = new Set(request.query.id);
      const own = fingerprints.find((f) => !f.merged && wanted.has(f.fingerprint));
      if (own) throw new HttpError(400, 'own_fingerprint', `${own.fingerprint} is this issue's own fingerprint; unmerge the others`, {}, { field: 'id' });
      const unknown = [...wanted].filter((id) => !fingerprints.some((f) => f.fingerprint === id));
      if (unknown.length) throw new HttpError(400, 'unknown_fingerprint', `not merged into this issue: ${unknown.slice(0, 5).join(', ')}`, {}, { field: 'id' });
      const originIds = fingerprints.filter((f) => wanted.has(f.fingerprint)).map((f) => f.issueId);
      const unmerged = await store.unmergeIssues(issue.projectId, issue.id, originIds);
      const actor = actorOf(principal);
      await store.recordActivity([
        { projectId: issue.projectId, issueId: issue.id, kind: 'unmerged', ...actor, data: { issueIds: unmerged } },
        ...unmerged.map((issueId) => ({ projectId: issue.projectId, issueId, kind: 'unmerged' as const, ...actor, data: { fromIssueId: issue.id } })),
      ]);
      return { unmerged };
    },
  );
}
