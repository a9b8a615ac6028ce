/**
 * Tag analytics (seed 000 "Tag Analysis"): project-wide distributions, variant comparison, trends
 * and correlation of an issue's tag values with the project baseline.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { twoProportionTest } from '../query/statistics.js';
import { transactionFilter } from '../query/transaction-filter.js';
import type { AnalyticsScope, Store } from '../store/types.js';
import { requireIssue, requireProject } from './auth.js';
import { errors, Id, IssueParams, Limit, ProjectParams, SearchQuery, TimeWindowQuery } from './contract/common.js';
import { Stats, TagComparison, TagCorrelation, TagStats, TagValueDistribution } from './contract/models.js';
import { searchFilter } from './search-params.js';
import { bucketsOf, parseDuration, statsRange } from './stats-range.js';
import { typed } from './typed.js';

const HOUR_MS = 3_600_000;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const percentage = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100) : 0);

/** `period=24h` (ending now) or `start` / `end` as ISO times; neither means all time. */
export function timeWindow(q: { period?: string; start?: string; end?: string }, now = Date.now()): AnalyticsScope['window'] {
  const { period, start, end } = q;
  if (period && (start || end)) throw new HttpError(400, 'invalid_parameter', 'give either period or start/end, not both');
  if (period) return { from: now - parseDuration(period, 'period'), to: now + 1 };
  if (!start && !end) return null;
  const from = start ? Date.parse(start) : 0;
  const to = end ? Date.parse(end) : now + 1;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new HttpError(400, 'invalid_parameter', 'start and end must be ISO times with start before end');
  }
  return { from, to };
}

const tags = ['tag analytics'];
const KeyParams = Type.Object({ projectId: Id, key: Type.String({ minLength: 1, maxLength: 200 }) });
const ScopeQuery = { ...SearchQuery, ...TimeWindowQuery };
const DistributionQuery = Type.Object({ ...ScopeQuery, limit: Limit(20, 1000) });
type ScopeParams = { projectId: number; key?: string };
type ScopeInput = { query?: string; environment?: string[]; period?: string; start?: string; end?: string; limit?: number };

export async function analyticsRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  async function projectScope(request: FastifyRequest, params: ScopeParams, q: ScopeInput): Promise<AnalyticsScope> {
    const projectId = (await requireProject(request, store, params.projectId)).project.id;
    return { projectId, filter: searchFilter(q), window: timeWindow(q) };
  }

  async function distribution(request: FastifyRequest, params: ScopeParams & { key: string }, q: ScopeInput) {
    const scope = await projectScope(request, params, q);
    const { key } = params;
    const limit = q.limit ?? 20;
    const [total, values] = await Promise.all([store.countEvents(scope), store.tagBreakdown(scope, key, limit)]);
    const tagged = values.reduce((sum, v) => sum + v.events, 0);
    return {
      key,
      totalEvents: total,
      values: values.map((v) => ({ value: v.value, events: v.events, issues: v.issues, users: v.users, percentage: percentage(v.events, total) })),
      /** Events in scope without this key, when all its values fit in the answer. */
      withoutKey: values.length < limit ? total - tagged : null,
      projectId: scope.projectId,
      window: scope.window,
    };
  }

  app.get(
    '/api/0/projects/:projectId/tags/:key/distribution/',
    {
      schema: {
        tags,
        summary: "A tag key's values across the project's events in scope, with shares",
        params: KeyParams,
        querystring: DistributionQuery,
        response: { 200: TagValueDistribution, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { key, totalEvents, values, withoutKey } = await distribution(request, request.params, request.query);
      return { key, totalEvents, values, withoutKey };
    },
  );

  // Compare variants: the same figures side by side, with the error rate: error events per
  // transaction (trace) carrying the same value in the same window. No transactions: null, never guessed.
  app.get(
    '/api/0/projects/:projectId/tags/:key/compare/',
    {
      schema: {
        tags,
        summary: 'Compare the values of a tag key (variants), with error rates per transaction',
        params: KeyParams,
        querystring: DistributionQuery,
        response: { 200: TagComparison, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const result = await distribution(request, request.params, request.query);
      // Transactions are counted under the same environment and query as the events, else a filtered
      // rate divides filtered errors by every transaction of the window.
      const { filter, notApplied } = transactionFilter(searchFilter(request.query));
      const traffic = await store.tracesPerTagValue(result.projectId, result.key, null, result.window, filter);
      // Values with traffic but no error in scope are variants too: their error rate is 0.
      const quiet = [...traffic.keys()].filter((value) => !result.values.some((v) => v.value === value));
      const rows = [...result.values, ...quiet.map((value) => ({ value, events: 0, issues: 0, users: 0, percentage: 0 }))];
      return {
        key: result.key,
        totalEvents: result.totalEvents,
        transactionsNotFilteredBy: notApplied,
        variants: rows.map((v) => {
          const transactions = traffic.get(v.value) ?? 0;
          return { ...v, transactions, errorRate: transactions > 0 ? round(v.events / transactions, 4) : null };
        }),
      };
    },
  );

  app.get(
    '/api/0/projects/:projectId/events/stats/',
    {
      schema: {
        tags,
        summary: 'Events per bucket over a period, for the events in scope',
        params: ProjectParams,
        querystring: Type.Object({ ...SearchQuery, period: TimeWindowQuery.period, interval: Type.Optional(Type.String({ description: '1m, 1h or 1d' })) }),
        response: { 200: Stats, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const scope = await projectScope(request, request.params, { query: q.query, environment: q.environment });
      const range = statsRange(q.period, q.interval);
      const counts = await store.eventStats(scope.projectId, scope.filter, range);
      return { interval: range.interval, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), buckets: bucketsOf(range, counts) };
    },
  );

  app.get(
    '/api/0/projects/:projectId/tags/:key/stats/',
    {
      schema: {
        tags,
        summary: 'Trends: events per bucket for each of a few values of a tag key',
        params: KeyParams,
        querystring: Type.Object({
          ...SearchQuery,
          period: TimeWindowQuery.period,
          interval: Type.Optional(Type.String({ description: '1h or 1d (default 1h)' })),
          values: Type.Optional(Type.String({ maxLength: 4000, description: 'Comma-separated values (at most 20); default: the most frequent' })),
          limit: Limit(5, 20),
        }),
        response: { 200: TagStats, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const { key } = request.params;
      const scope = await projectScope(request, request.params, { query: q.query, environment: q.environment });
      const range = statsRange(q.period, q.interval ?? '1h');
      if (range.interval === 'minute') throw new HttpError(400, 'invalid_parameter', 'per-value trends use 1h or 1d buckets');
      const values = q.values
        ? q.values.split(',').map((v) => v.trim()).filter(Boolean).slice(0, 20)
        : (await store.projectTagValues(scope.projectId, key, '', q.limit ?? 5)).map((v) => v.value);
      const series = await store.tagValueStats(scope.projectId, key, values, range);
      return {
        key,
        interval: range.interval,
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        series: values.map((value) => ({ value, buckets: bucketsOf(range, series.get(value) ?? []) })),
      };
    },
  );

  // Which tag values are over-represented in this issue compared with the rest of the project over
  // the hours the issue was active: share, lift, and a two-proportion z-test, strongest first.
  app.get(
    '/api/0/issues/:issueId/tags/correlation/',
    {
      schema: {
        tags,
        summary: "Tag values over-represented in the issue compared with the project's baseline",
        params: IssueParams,
        querystring: Type.Object({
          prefix: Type.Optional(Type.String({ maxLength: 200, description: 'Only keys starting with this (a trailing * is allowed)' })),
          key: Type.Optional(Type.String({ maxLength: 200, description: 'Same as prefix' })),
          minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Ignore values with fewer events in the issue' })),
          limit: Limit(50, 1000),
        }),
        response: { 200: TagCorrelation, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      const q = request.query;
      const prefix = (q.prefix ?? q.key ?? '').replace(/\*$/, '');
      const minCount = q.minCount ?? 1;
      const fromHour = Math.floor(Date.parse(issue.firstSeen) / HOUR_MS);
      const toHour = Math.floor(Date.parse(issue.lastSeen) / HOUR_MS);
      const counts = await store.correlationCounts(issue.id, issue.projectId, prefix, fromHour, toHour);
      const otherTotal = Math.max(0, counts.windowTotal - issue.count);
      const rows = counts.values
        .filter((v) => v.issueCount >= minCount)
        .map((v) => {
          const otherHits = Math.max(0, v.windowCount - v.issueCount);
          const test = twoProportionTest(v.issueCount, issue.count, otherHits, otherTotal);
          return {
            key: v.key,
            value: v.value,
            issueEvents: v.issueCount,
            issueShare: round(test.share, 4),
            baselineEvents: otherHits,
            baselineShare: round(test.baselineShare, 4),
            lift: test.lift === null ? null : round(test.lift, 3),
            z: test.z === null ? null : round(test.z, 3),
            pValue: test.pValue,
            significant: test.pValue !== null && test.pValue < 0.05 && (test.z ?? 0) > 0,
          };
        })
        .sort((a, b) => (b.z ?? -Infinity) - (a.z ?? -Infinity) || b.issueEvents - a.issueEvents);
      return {
        issueId: issue.id,
        window: { from: new Date(fromHour * HOUR_MS).toISOString(), to: new Date((toHour + 1) * HOUR_MS).toISOString() },
        issueEvents: issue.count,
        baselineEvents: otherTotal,
        values: rows.slice(0, q.limit ?? 50),
      };
    },
  );
}
