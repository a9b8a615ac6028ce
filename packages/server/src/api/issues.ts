import type { FastifyInstance, FastifyRequest } from 'fastify';
import { eventView } from '../digest/event-view.js';
import { HttpError } from '../errors.js';
import { IDENTITY_TAG_KEYS, ISSUE_STATUSES, type Issue, type IssueStatus, type Store, type TagKeyDistribution } from '../store/types.js';
import { requireIssue } from './auth.js';
import { limitParam, sendPage, stringParam } from './http.js';
import { DERIVED_TAG_KEYS } from '../digest/digest.js';
import { and, issueIdIs } from '../query/ast.js';
import { timeWindow } from './analytics.js';
import { searchFilter } from './search-params.js';
import { bucketsOf, statsRange } from './stats-range.js';
import type { ReleaseTracker } from '../ingest/release-tracker.js';
import { resolutionFrom, resolveInRelease } from './releases.js';

const percentage = (count: number, total: number) => (total > 0 ? Math.round((count / total) * 10000) / 100 : 0);

/**
 * Percentages are shares of the issue's events ("what percentage of errors are from
 * tier=enterprise?"); totalValues counts the events that carry the key at all.
 */
function tagDistribution(issue: Issue, entry: TagKeyDistribution) {
  return {
    key: entry.key,
    totalValues: entry.totalValues,
    topValues: entry.values.map((v) => ({ ...v, percentage: percentage(v.count, issue.count) })),
  };
}

export async function issueRoutes(app: FastifyInstance, options: { store: Store; releases: ReleaseTracker }) {
  const { store, releases } = options;

  const loadIssue = (request: FastifyRequest) => requireIssue(request, store);
  /** The issue with how it is resolved by release (Sentry's statusDetails), if it is. */
  const withStatusDetails = async (issue: Issue) => {
    const resolution = await store.issueResolution(issue.id);
    const statusDetails = !resolution ? {} : resolution.kind === 'release' ? { inRelease: resolution.version } : { inNextRelease: true, afterRelease: resolution.version };
    return { ...issue, statusDetails };
  };

  app.get('/api/0/issues/:issueId/', async (request) => withStatusDetails(await loadIssue(request)));

  /** `{status}`; `{status: "resolved", statusDetails: {inNextRelease: true} | {inRelease: "1.2.0"}}` resolves by release. */
  app.put('/api/0/issues/:issueId/', async (request) => {
    const issue = await loadIssue(request);
    const body = request.body as { status?: unknown; statusDetails?: unknown } | undefined;
    const resolution = resolutionFrom(body?.statusDetails);
    if (resolution && (body?.status === undefined || body.status === 'resolved')) {
      await resolveInRelease(store, releases, issue, resolution);
      return withStatusDetails((await store.getIssue(issue.id))!);
    }
    if (typeof body?.status !== 'string' || !ISSUE_STATUSES.includes(body.status as IssueStatus)) {
      throw new HttpError(400, 'invalid_body', `status must be one of ${ISSUE_STATUSES.join(', ')}`);
    }
    const updated = await store.setIssueStatus(issue.id, body.status as IssueStatus);
    releases.noteResolution(issue.id, null);
    return updated;
  });

  app.get('/api/0/issues/:issueId/events/', async (request, reply) => {
    const issue = await loadIssue(request);
    const q = request.query as Record<string, unknown>;
    try {
      const page = await store.listEvents({
        projectId: issue.projectId,
        issueId: issue.id,
        filter: searchFilter(q),
        limit: limitParam(q.limit, 50),
        cursor: stringParam(q.cursor, 'cursor'),
      });
      return sendPage(request, reply, page.items, page.nextCursor);
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
  });

  app.get('/api/0/issues/:issueId/events/latest/', async (request) => {
    const issue = await loadIssue(request);
    const page = await store.listEvents({ projectId: issue.projectId, issueId: issue.id, filter: null, limit: 1 });
    const latest = page.items[0];
    const event = latest && (await store.getEvent(issue.projectId, latest.eventId));
    if (!event) throw new HttpError(404, 'not_found', 'the issue has no events');
    return { ...eventView(event), ...(await store.eventNeighbors(issue.projectId, event.eventId)) };
  });

  app.get('/api/0/issues/:issueId/events/:eventId/', async (request) => {
    const issue = await loadIssue(request);
    const eventId = (request.params as { eventId: string }).eventId.replace(/-/g, '').toLowerCase();
    const event = await store.getEvent(issue.projectId, eventId);
    if (!event || event.issueId !== issue.id) throw new HttpError(404, 'not_found', 'event not found in this issue');
    const neighbors = await store.eventNeighbors(issue.projectId, eventId);
    return { ...eventView(event), ...neighbors };
  });

  app.get('/api/0/issues/:issueId/stats/', async (request) => {
    const issue = await loadIssue(request);
    const q = request.query as Record<string, unknown>;
    const range = statsRange(stringParam(q.period, 'period'), stringParam(q.interval, 'interval'));
    const counts = (await store.issueStats([issue.id], range)).get(issue.id) ?? [];
    return { interval: range.interval, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), buckets: bucketsOf(range, counts) };
  });

  app.get('/api/0/issues/:issueId/tags/', async (request) => {
    const issue = await loadIssue(request);
    const q = request.query as Record<string, unknown>;
    const top = limitParam(q.limit, 10, 1000);
    // Search-only keys (user.email, account.id, ...) are counted as users and accounts instead,
    // unless asked for with ?derived=true.
    const shown = (key: string) => q.derived === 'true' || !DERIVED_TAG_KEYS.has(key);
    // Identity keys (user.*, account.*) have no running per-issue counts: asking for them counts events.
    const filtered = q.derived === 'true' || ['query', 'environment', 'period', 'start', 'end'].some((name) => q[name] !== undefined && q[name] !== '');
    if (!filtered) {
      const entries = await store.issueTagDistribution(issue.id, top);
      return entries.filter((entry) => shown(entry.key)).map((entry) => tagDistribution(issue, entry));
    }
    // Filtered distributions are computed from the matching events rather than the running counts.
    const scope = { projectId: issue.projectId, filter: and([issueIdIs(issue.id), searchFilter(q)]), window: timeWindow(q) };
    const [total, rows] = await Promise.all([store.countEvents(scope), store.tagBreakdown(scope, null, 100_000)]);
    const byKey = new Map<string, { key: string; totalValues: number; topValues: Array<{ value: string; count: number; users: number; percentage: number }> }>();
    for (const row of rows) {
      let entry = byKey.get(row.key);
      if (!entry) byKey.set(row.key, (entry = { key: row.key, totalValues: 0, topValues: [] }));
      entry.totalValues += row.events;
      if (entry.topValues.length < top) entry.topValues.push({ value: row.value, count: row.events, users: row.users, percentage: percentage(row.events, total) });
    }
    return [...byKey.values()].filter((entry) => shown(entry.key)).sort((a, b) => a.key.localeCompare(b.key));
  });

  app.get('/api/0/issues/:issueId/tags/:key/', async (request) => {
    const issue = await loadIssue(request);
    const { key } = request.params as { key: string };
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
  });
}
