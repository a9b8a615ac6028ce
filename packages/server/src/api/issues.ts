import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { eventView } from '../digest/event-view.js';
import { HttpError } from '../errors.js';
import { IDENTITY_TAG_KEYS, type Issue as StoredIssue, type Store, type TagKeyDistribution } from '../store/types.js';
import { requireIssue } from './auth.js';
import { Cursor, errors, Id, IssueParams, Limit, SearchQuery, TimeWindowQuery } from './contract/common.js';
import { Event, EventSummary, Issue, IssueStatus, Stats, TagDistribution, type TagValue } from './contract/models.js';
import { sendPage, withCursor } from './http.js';
import { DERIVED_TAG_KEYS } from '../digest/digest.js';
import { and, issueIdIs } from '../query/ast.js';
import { timeWindow } from './analytics.js';
import { searchFilter } from './search-params.js';
import { bucketsOf, statsRange } from './stats-range.js';
import { typed } from './typed.js';

const tags = ['issues'];
const percentage = (count: number, total: number) => (total > 0 ? Math.round((count / total) * 10000) / 100 : 0);
const StatsQuery = Type.Object({
  period: TimeWindowQuery.period,
  interval: Type.Optional(Type.String({ description: '1m, 1h or 1d (default from the period)' })),
});

/**
 * Percentages are shares of the issue's events ("what percentage of errors are from
 * tier=enterprise?"); totalValues counts the events that carry the key at all.
 */
function tagDistribution(issue: StoredIssue, entry: TagKeyDistribution): TagDistribution {
  return {
    key: entry.key,
    totalValues: entry.totalValues,
    topValues: entry.values.map((v) => ({ ...v, percentage: percentage(v.count, issue.count) })),
  };
}

export async function issueRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  app.get(
    '/api/0/issues/:issueId/',
    { schema: { tags, summary: 'One issue', params: IssueParams, response: { 200: Issue, ...errors(400, 401, 404) } } },
    async (request) => requireIssue(request, store, request.params.issueId),
  );

  app.put(
    '/api/0/issues/:issueId/',
    {
      schema: { tags, summary: "Set an issue's status", params: IssueParams, body: Type.Object({ status: IssueStatus }), response: { 200: Issue, ...errors(400, 401, 404) } },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const updated = await store.setIssueStatus(issue.id, request.body.status);
      if (!updated) throw new HttpError(404, 'not_found', 'issue not found');
      return updated;
    },
  );

  app.get(
    '/api/0/issues/:issueId/events/',
    {
      schema: {
        tags,
        summary: "The issue's events, newest first",
        params: IssueParams,
        querystring: Type.Object({ ...SearchQuery, limit: Limit(50, 100), cursor: Cursor }),
        response: { 200: Type.Array(EventSummary), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const q = request.query;
      const page = await withCursor('invalid_cursor', () =>
        store.listEvents({ projectId: issue.projectId, issueId: issue.id, filter: searchFilter(q), limit: q.limit ?? 50, cursor: q.cursor }),
      );
      return sendPage(request, reply, page.items, page.nextCursor);
    },
  );

  app.get(
    '/api/0/issues/:issueId/events/latest/',
    { schema: { tags, summary: "The issue's latest event", params: IssueParams, response: { 200: Event, ...errors(400, 401, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const page = await store.listEvents({ projectId: issue.projectId, issueId: issue.id, filter: null, limit: 1 });
      const latest = page.items[0];
      const event = latest && (await store.getEvent(issue.projectId, latest.eventId));
      if (!event) throw new HttpError(404, 'not_found', 'the issue has no events');
      return { ...eventView(event), ...(await store.eventNeighbors(issue.projectId, event.eventId)) };
    },
  );

  app.get(
    '/api/0/issues/:issueId/events/:eventId/',
    {
      schema: {
        tags,
        summary: 'One event of the issue, with the ids of its neighbours',
        params: Type.Object({ issueId: Id, eventId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Event, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const eventId = request.params.eventId.replace(/-/g, '').toLowerCase();
      const event = await store.getEvent(issue.projectId, eventId);
      if (!event || event.issueId !== issue.id) throw new HttpError(404, 'not_found', 'event not found in this issue');
      return { ...eventView(event), ...(await store.eventNeighbors(issue.projectId, eventId)) };
    },
  );

  app.get(
    '/api/0/issues/:issueId/stats/',
    { schema: { tags, summary: 'Events per bucket over a period', params: IssueParams, querystring: StatsQuery, response: { 200: Stats, ...errors(400, 401, 404) } } },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const range = statsRange(request.query.period, request.query.interval);
      const counts = (await store.issueStats([issue.id], range)).get(issue.id) ?? [];
      return { interval: range.interval, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), buckets: bucketsOf(range, counts) };
    },
  );

  app.get(
    '/api/0/issues/:issueId/tags/',
    {
      schema: {
        tags,
        summary: 'Tag distribution of the issue (seed 000): every key with its top values',
        params: IssueParams,
        querystring: Type.Object({
          ...SearchQuery,
          ...TimeWindowQuery,
          limit: Limit(10, 1000),
          derived: Type.Optional(Type.Boolean({ description: 'Include search-only keys (user.email, account.id, ...)' })),
        }),
        response: { 200: Type.Array(TagDistribution), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const q = request.query;
      const top = q.limit ?? 10;
      // Search-only keys (user.email, account.id, ...) are counted as users and accounts instead,
      // unless asked for with ?derived=true.
      const shown = (key: string) => q.derived === true || !DERIVED_TAG_KEYS.has(key);
      // Identity keys (user.*, account.*) have no running per-issue counts: asking for them counts events.
      const filtered = q.derived === true || Boolean(q.query || q.environment?.length || q.period || q.start || q.end);
      if (!filtered) {
        const entries = await store.issueTagDistribution(issue.id, top);
        return entries.filter((entry) => shown(entry.key)).map((entry) => tagDistribution(issue, entry));
      }
      // Filtered distributions are computed from the matching events rather than the running counts.
      const scope = { projectId: issue.projectId, filter: and([issueIdIs(issue.id), searchFilter(q)]), window: timeWindow(q) };
      const [total, rows] = await Promise.all([store.countEvents(scope), store.tagBreakdown(scope, null, 100_000)]);
      const byKey = new Map<string, { key: string; totalValues: number; topValues: TagValue[] }>();
      for (const row of rows) {
        let entry = byKey.get(row.key);
        if (!entry) byKey.set(row.key, (entry = { key: row.key, totalValues: 0, topValues: [] }));
        entry.totalValues += row.events;
        if (entry.topValues.length < top) entry.topValues.push({ value: row.value, count: row.events, users: row.users, percentage: percentage(row.events, total) });
      }
      return [...byKey.values()].filter((entry) => shown(entry.key)).sort((a, b) => a.key.localeCompare(b.key));
    },
  );

  app.get(
    '/api/0/issues/:issueId/tags/:key/',
    {
      schema: {
        tags,
        summary: 'Every value of one tag key in the issue',
        params: Type.Object({ issueId: Id, key: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: TagDistribution, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const { key } = request.params;
      if (IDENTITY_TAG_KEYS.has(key)) {
        const rows = await store.tagBreakdown({ projectId: issue.projectId, filter: issueIdIs(issue.id), window: null }, key, 100_000);
        if (rows.length === 0) throw new HttpError(404, 'not_found', `the issue has no tag "${key}"`);
        return {
          key,
          totalValues: rows.reduce((sum, r) => sum + r.events, 0),
          topValues: rows.map((r) => ({ value: r.value, count: r.events, users: r.users, percentage: percentage(r.events, issue.count) })),
        };
      }
      const entry = await store.issueTagValues(issue.id, key);
      if (!entry) throw new HttpError(404, 'not_found', `the issue has no tag "${key}"`);
      return tagDistribution(issue, entry);
    },
  );
}
