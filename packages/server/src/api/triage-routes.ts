/**
 * Comments and snoozes of an issue (docs/triage.md). A comment's author is the signed-in team
 * member (or the token's label); only its author or an admin may change or delete it. A snooze sets
 * the issue to ignored until a time, N more events or N more users; snooze-waker.ts sets it back.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { IssueSnooze as StoredSnooze, SnoozeConditions } from '../store/triage-types.js';
import type { Store } from '../store/types.js';
import { atLeast, requireIssue, requireToken, type Principal } from './auth.js';
import { errors, Id, IssueParams } from './contract/common.js';
import { CommentBody, IssueComment, IssueSnooze, SnoozeBody } from './contract/triage.js';
import { typed } from './typed.js';

const tags = ['triage'];
const CommentParams = Type.Object({ issueId: Id, commentId: Id });
/** A thread longer than this is a script gone wrong; it also bounds the list's answer. */
const MAX_COMMENTS = 1000;
/** A snooze further away than this is a mistake (the dashboard offers up to a month). */
const MAX_SNOOZE_MS = 366 * 86_400_000;

const positiveInt = (value: unknown, field: string, max: number): number | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new HttpError(400, 'invalid_body', `${field} must be a whole number from 1 to ${max}`, {}, { field });
  }
  return value;
};

/**
 * Sentry's way to snooze (`PUT /issues/{id}/` with status "ignored" and statusDetails
 * ignoreDuration (minutes), ignoreCount, ignoreUserCount): the conditions, or null for a plain ignore.
 */
export function snoozeFromStatusDetails(details: Record<string, unknown> | undefined): SnoozeConditions | null {
  if (!details) return null;
  const minutes = positiveInt(details.ignoreDuration, 'body.statusDetails.ignoreDuration', 525_600);
  const events = positiveInt(details.ignoreCount, 'body.statusDetails.ignoreCount', 1_000_000_000);
  const users = positiveInt(details.ignoreUserCount, 'body.statusDetails.ignoreUserCount', 1_000_000_000);
  if (minutes === null && events === null && users === null) return null;
  return { untilMs: minutes === null ? null : Date.now() + minutes * 60_000, events, users };
}

export const authorName = (principal: Principal) => (principal.user ? principal.user.name || principal.user.email : principal.label);

function snoozeView(s: StoredSnooze, issue: { count: number; userCount: number }) {
  return {
    issueId: s.issueId,
    until: s.untilMs === null ? null : new Date(s.untilMs).toISOString(),
    events: s.events,
    users: s.users,
    baseCount: s.baseCount,
    baseUsers: s.baseUsers,
    remainingEvents: s.events === null ? null : Math.max(0, s.baseCount + s.events - issue.count),
    remainingUsers: s.users === null ? null : Math.max(0, s.baseUsers + s.users - issue.userCount),
    createdAt: s.createdAt,
    createdBy: s.createdBy,
  };
}

export async function triageRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  /** The comment, when the caller wrote it or is an admin. */
  async function ownComment(request: FastifyRequest, issueId: number, commentId: number) {
    const principal = await requireToken(request, store);
    const existing = await store.getIssueComment(issueId, commentId);
    if (!existing) throw new HttpError(404, 'not_found', 'comment not found');
    const mine = principal.user ? existing.userId === principal.user.id : existing.userId === null && existing.author === principal.label;
    if (!mine && !atLeast(principal.role, 'admin')) throw new HttpError(403, 'forbidden', 'Only its author or an admin may change a comment');
    return existing;
  }

  app.get(
    '/api/0/issues/:issueId/comments/',
    { schema: { tags, summary: "The issue's comments, oldest first", params: IssueParams, response: { 200: Type.Array(IssueComment), ...errors(400, 401, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      return store.listIssueComments(issue.id);
    },
  );

  app.post(
    '/api/0/issues/:issueId/comments/',
    { schema: { tags, summary: 'Comment on an issue', params: IssueParams, body: CommentBody, response: { 201: IssueComment, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const principal = await requireToken(request, store);
      const text = request.body.text.trim();
      if (!text) throw new HttpError(400, 'invalid_body', 'body.text is empty', {}, { field: 'body.text' });
      if ((await store.listIssueComments(issue.id)).length >= MAX_COMMENTS) {
        throw new HttpError(400, 'too_many_comments', `an issue keeps at most ${MAX_COMMENTS} comments`);
      }
      const created = await store.addIssueComment({ issueId: issue.id, userId: principal.user?.id ?? null, author: authorName(principal), text });
      return reply.code(201).send(created);
    },
  );

  app.put(
    '/api/0/issues/:issueId/comments/:commentId/',
    { schema: { tags, summary: 'Edit a comment (its author or an admin)', params: CommentParams, body: CommentBody, response: { 200: IssueComment, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      await ownComment(request, issue.id, request.params.commentId);
      const text = request.body.text.trim();
      if (!text) throw new HttpError(400, 'invalid_body', 'body.text is empty', {}, { field: 'body.text' });
      const updated = await store.updateIssueComment(issue.id, request.params.commentId, text);
      if (!updated) throw new HttpError(404, 'not_found', 'comment not found');
      return updated;
    },
  );

  app.delete(
    '/api/0/issues/:issueId/comments/:commentId/',
    { schema: { tags, summary: 'Delete a comment (its author or an admin)', params: CommentParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      await ownComment(request, issue.id, request.params.commentId);
      await store.deleteIssueComment(issue.id, request.params.commentId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/0/issues/:issueId/snooze/',
    { schema: { tags, summary: "The issue's snooze: when it comes back", params: IssueParams, response: { 200: IssueSnooze, ...errors(400, 401, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const snooze = issue.status === 'ignored' ? await store.getIssueSnooze(issue.id) : undefined;
      if (!snooze) throw new HttpError(404, 'not_found', 'the issue is not snoozed');
      return snoozeView(snooze, issue);
    },
  );

  app.put(
    '/api/0/issues/:issueId/snooze/',
    {
      schema: {
        tags,
        summary: 'Ignore the issue until a time, N more events or N more users (whichever comes first)',
        params: IssueParams,
        body: SnoozeBody,
        response: { 200: IssueSnooze, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const principal = await requireToken(request, store);
      const { minutes, until, events, users } = request.body;
      if (minutes !== undefined && until !== undefined) throw new HttpError(400, 'invalid_body', 'give minutes or until, not both', {}, { field: 'body.until' });
      let untilMs: number | null = null;
      if (minutes !== undefined) untilMs = Date.now() + minutes * 60_000;
      if (until !== undefined) {
        untilMs = Date.parse(until);
        if (!Number.isFinite(untilMs) || untilMs <= Date.now()) throw new HttpError(400, 'invalid_body', 'body.until must be a time in the future', {}, { field: 'body.until' });
        if (untilMs - Date.now() > MAX_SNOOZE_MS) throw new HttpError(400, 'invalid_body', 'body.until is more than a year away', {}, { field: 'body.until' });
      }
      if (untilMs === null && events === undefined && users === undefined) {
        throw new HttpError(400, 'invalid_body', 'a snooze needs minutes, until, events or users', {}, { field: 'body' });
      }
      const snooze = await store.snoozeIssue(issue.id, { untilMs, events: events ?? null, users: users ?? null }, authorName(principal));
      return snoozeView(snooze, issue);
    },
  );

  app.delete(
    '/api/0/issues/:issueId/snooze/',
    { schema: { tags, summary: 'End the snooze now: the issue is unresolved again', params: IssueParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      await requireToken(request, store);
      const snooze = await store.getIssueSnooze(issue.id);
      if (!snooze) throw new HttpError(404, 'not_found', 'the issue is not snoozed');
      await store.clearIssueSnooze(issue.id);
      if (issue.status === 'ignored') await store.setIssueStatus(issue.id, 'unresolved');
      return reply.code(204).send(null);
    },
  );
}
