import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { eventView } from '../digest/event-view.js';
import { readStoredEvent } from '../digest/stored-event.js';
import { HttpError } from '../errors.js';
import { IDENTITY_TAG_KEYS, type Issue as StoredIssue, type Store, type TagKeyDistribution } from '../store/types.js';
import { requireIssue, requireToken } from './auth.js';
import { authorName, snoozeFromStatusDetails } from './triage-routes.js';
import { AssignTo } from './contract/issue-workflow.js';
import { assignIssues, recordStatusChange, resolveAssignee } from './issue-workflow.js';
import { Cursor, errors, Id, IssueParams, Limit, SearchQuery, TimeWindowQuery } from './contract/common.js';
import { Event, EventSummary, Issue, IssueStatus, Stats, TagDistribution, type TagValue } from './contract/models.js';
import { StatusDetails } from './contract/releases.js';
import { keyCursor, offsetCursor, sendPage, withCursor } from './http.js';
import { encodeCursor } from '../store/cursor.js';
import { DERIVED_TAG_KEYS } from '../digest/digest.js';
import { and, issueIdIs } from '../query/ast.js';
import { timeWindow } from './analytics.js';
import { searchFilter } from './search-params.js';
import { bucketsOf, statsRange } from './stats-range.js';
import type { ReleaseTracker } from '../ingest/release-tracker.js';
import { resolutionFrom, resolveInRelease } from './releases.js';
import { typed } from './typed.js';

/** Bounds of the issue tag lists (docs/api.md#tags-of-an-issue). */
const DEFAULT_KEYS_PER_PAGE = 100;
const MAX_KEYS_PER_PAGE = 100;
const MAX_VALUES_PER_KEY = 100;
const DEFAULT_VALUES_PAGE = 100;
const MAX_VALUES_PAGE = 1000;

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

export async function issueRoutes(fastify: FastifyInstance, options: { store: Store; releases: ReleaseTracker }) {
  const app = typed(fastify);
  const { store, releases } = options;

  /** The issue with how it is resolved by release (Sentry's statusDetails), if it is. */
  const withStatusDetails = async (issue: StoredIssue) => {
    const resolution = await store.issueResolution(issue.id);
    const statusDetails = !resolution ? {} : resolution.kind === 'release' ? { inRelease: resolution.version } : { inNextRelease: true, afterRelease: resolution.version };
    return { ...issue, statusDetails };
  };

  app.get(
    '/api/0/issues/:issueId/',
    { schema: { tags, summary: 'One issue, with statusDetails when it is resolved by release', params: IssueParams, response: { 200: Issue, ...errors(400, 401, 404) } } },
    async (request) => withStatusDetails(await requireIssue(request, store, request.params.issueId)),
  );

  app.put(
    '/api/0/issues/:issueId/',
    {
      schema: {
        tags,
        summary: "Set an issue's status or assignee; statusDetails {inNextRelease: true} or {inRelease: version} resolves it by release",
        params: IssueParams,
        body: Type.Object({ status: Type.Optional(IssueStatus), statusDetails: Type.Optional(StatusDetails), assignedTo: Type.Optional(AssignTo) }),
        response: { 200: Issue, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const principal = await requireToken(request, store);
      const body = request.body;
      const resolution = resolutionFrom(body.statusDetails);
      if (body.status === undefined && !resolution && body.assignedTo === undefined) {
        throw new HttpError(400, 'invalid_body', 'body.status is required (unresolved, resolved or ignored), or body.assignedTo', {}, { field: 'body.status' });
      }
      // The assignee is checked before any change, so a bad one changes nothing.
      const assignee = body.assignedTo === undefined ? undefined : await resolveAssignee(store, principal, issue.projectId, body.assignedTo);
      if (assignee !== undefined) await assignIssues(store, principal, issue.projectId, [issue.id], assignee);
      if (resolution && (body.status === undefined || body.status === 'resolved')) {
        await resolveInRelease(store, releases, issue, resolution);
        const version = resolution.kind === 'release' ? resolution.version : null;
        await recordStatusChange(store, principal, issue.projectId, [issue.id], 'resolved', version ? { inRelease: version } : { inNextRelease: true });
        return withStatusDetails((await store.getIssue(issue.id))!);
      }
      if (body.status === undefined) return withStatusDetails((await store.getIssue(issue.id))!);
      const snooze = body.status === 'ignored' ? snoozeFromStatusDetails(body.statusDetails) : null;
      if (snooze) {
        await store.snoozeIssue(issue.id, snooze, authorName(principal));
        await recordStatusChange(store, principal, issue.projectId, [issue.id], 'ignored', { snooze });
        return (await store.getIssue(issue.id))!;
      }
      const updated = await store.setIssueStatus(issue.id, body.status);
      // A status set by hand ends any snooze (docs/triage.md).
      await store.clearIssueSnooze(issue.id);
      if (!updated) throw new HttpError(404, 'not_found', 'issue not found');
      releases.noteResolution(issue.id, null);
      if (updated.status !== issue.status || issue.isRegressed) await recordStatusChange(store, principal, issue.projectId, [issue.id], body.status);
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
      return { ...eventView(readStoredEvent(event)), ...(await store.eventNeighbors(issue.projectId, event.eventId)) };
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
      return { ...eventView(readStoredEvent(event)), ...(await store.eventNeighbors(issue.projectId, eventId)) };
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

  // Paged by key (`keys` a page, `cursor` from X-Next-Cursor) so an issue with tens of thousands of
  // keys answers one bounded page; `limit` values per key.
  app.get(
    '/api/0/issues/:issueId/tags/',
    {
      schema: {
        tags,
        summary: 'Tag distribution of the issue (seed 000): one page of keys with their top values',
        params: IssueParams,
        querystring: Type.Object({
          ...SearchQuery,
          ...TimeWindowQuery,
          limit: Limit(10, MAX_VALUES_PER_KEY),
          keys: Limit(DEFAULT_KEYS_PER_PAGE, MAX_KEYS_PER_PAGE),
          cursor: Cursor,
          derived: Type.Optional(Type.Boolean({ description: 'Include search-only keys (user.email, account.id, ...)' })),
        }),
        response: { 200: Type.Array(TagDistribution), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const q = request.query;
      const top = q.limit ?? 10;
      const keys = q.keys ?? DEFAULT_KEYS_PER_PAGE;
      const afterKey = keyCursor(q.cursor);
      // Search-only keys (user.email, account.id, ...) are counted as users and accounts instead,
      // unless asked for with ?derived=true.
      const shown = (key: string) => q.derived === true || !DERIVED_TAG_KEYS.has(key);
      // Identity keys (user.*, account.*) have no running per-issue counts: asking for them counts events.
      const filtered = q.derived === true || Boolean(q.query || q.environment?.length || q.period || q.start || q.end);
      if (!filtered) {
        const entries = await store.issueTagDistribution(issue.id, top, { afterKey, keys: keys + 1 });
        const page = entries.slice(0, keys);
        const next = entries.length > keys ? encodeCursor(page.at(-1)!.key, 0) : null;
        return sendPage(request, reply, page.filter((entry) => shown(entry.key)).map((entry) => tagDistribution(issue, entry)), next);
      }
      // Filtered distributions are computed from the matching events rather than the running counts,
      // one page of the issue's keys at a time so the events scanned are bounded by the page (over
      // every key, 400 events of 100 keys each took 730 ms of the event loop).
      const scope = { projectId: issue.projectId, filter: and([issueIdIs(issue.id), searchFilter(q)]), window: timeWindow(q) };
      const pageKeys = await store.issueTagDistribution(issue.id, 1, { afterKey, keys: keys + 1 });
      const derivedKeys = q.derived === true ? [...IDENTITY_TAG_KEYS].filter((key) => key > (afterKey ?? '')) : [];
      const candidates = [...new Set([...pageKeys.map((entry) => entry.key), ...derivedKeys])].sort().slice(0, keys + 1);
      const more = candidates.length > keys;
      const inPage = candidates.slice(0, keys);
      if (inPage.length === 0) return [];
      const range = { first: inPage[0]!, last: inPage.at(-1)! };
      const [total, rows] = await Promise.all([store.countEvents(scope), store.tagBreakdown(scope, null, 100_000, range)]);
      const byKey = new Map<string, { key: string; totalValues: number; topValues: TagValue[] }>();
      for (const row of rows) {
        let entry = byKey.get(row.key);
        if (!entry) byKey.set(row.key, (entry = { key: row.key, totalValues: 0, topValues: [] }));
        entry.totalValues += row.events;
        if (entry.topValues.length < top) entry.topValues.push({ value: row.value, count: row.events, users: row.users, percentage: percentage(row.events, total) });
      }
      const page = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return sendPage(request, reply, page.filter((entry) => shown(entry.key)), more ? encodeCursor(inPage.at(-1)!, 0) : null);
    },
  );

  // One key's values, most frequent first, `limit` a page with an offset cursor (counts move as
  // events arrive, so a value may shift between pages; each page is bounded all the same).
  app.get(
    '/api/0/issues/:issueId/tags/:key/',
    {
      schema: {
        tags,
        summary: 'The values of one tag key in the issue, most frequent first, one page at a time',
        params: Type.Object({ issueId: Id, key: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ limit: Limit(DEFAULT_VALUES_PAGE, MAX_VALUES_PAGE), cursor: Cursor }),
        response: { 200: TagDistribution, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const { key } = request.params;
      const limit = request.query.limit ?? DEFAULT_VALUES_PAGE;
      const offset = offsetCursor(request.query.cursor);
      const nextCursor = (more: boolean) => (more ? encodeCursor(offset + limit, 0) : null);
      if (IDENTITY_TAG_KEYS.has(key)) {
        const rows = await store.tagBreakdown({ projectId: issue.projectId, filter: issueIdIs(issue.id), window: null }, key, 100_000);
        if (rows.length === 0) throw new HttpError(404, 'not_found', `the issue has no tag "${key}"`);
        reply.header('x-total-values', String(rows.length));
        const page = rows.slice(offset, offset + limit);
        sendPage(request, reply, [], nextCursor(rows.length > offset + limit));
        return {
          key,
          totalValues: rows.reduce((sum, r) => sum + r.events, 0),
          topValues: page.map((r) => ({ value: r.value, count: r.events, users: r.users, percentage: percentage(r.events, issue.count) })),
        };
      }
      const entry = await store.issueTagValues(issue.id, key, { offset, limit: limit + 1 });
      if (!entry) throw new HttpError(404, 'not_found', `the issue has no tag "${key}"`);
      sendPage(request, reply, [], nextCursor(entry.values.length > limit));
      return tagDistribution(issue, { ...entry, values: entry.values.slice(0, limit) });
    },
  );
}
