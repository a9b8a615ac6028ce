import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/types.js';
import { requireIssue } from './auth.js';
import { errors, IssueParams, Limit } from './contract/common.js';
import { ActivityEntry } from './contract/triage.js';
import { typed } from './typed.js';

/** The activity history of an issue (docs/triage.md); assignment itself is a field of PUT /issues/{id}/. */
export async function triageRoutes(fastify: FastifyInstance, options: { store: Store }) {
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
}
