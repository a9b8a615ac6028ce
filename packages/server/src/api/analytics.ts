/**
 * Tag analytics (seed 000 "Tag Analysis"): project-wide distributions, variant comparison, trends
 * and correlation of an issue's tag values with the project baseline.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { twoProportionTest } from '../query/statistics.js';
import { transactionFilter } from '../query/transaction-filter.js';
import type { AnalyticsScope, Store } from '../store/types.js';
import { requireIssue, requireProject } from './auth.js';
import { idParam, limitParam, stringParam } from './http.js';
import { searchFilter } from './search-params.js';
import { bucketsOf, parseDuration, statsRange } from './stats-range.js';

const HOUR_MS = 3_600_000;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const percentage = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100) : 0);

/** `period=24h` (ending now) or `start` / `end` as ISO times; neither means all time. */
export function timeWindow(q: Record<string, unknown>, now = Date.now()): AnalyticsScope['window'] {
  const period = stringParam(q.period, 'period');
  const start = stringParam(q.start, 'start');
  const end = stringParam(q.end, 'end');
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

export async function analyticsRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  async function projectScope(request: FastifyRequest): Promise<AnalyticsScope> {
    const projectId = (await requireProject(request, store)).project.id;
    const q = request.query as Record<string, unknown>;
    return { projectId, filter: searchFilter(q), window: timeWindow(q) };
  }

  async function distribution(request: FastifyRequest) {
    const scope = await projectScope(request);
    const { key } = request.params as { key: string };
    const q = request.query as Record<string, unknown>;
    const [total, values] = await Promise.all([store.countEvents(scope), store.tagBreakdown(scope, key, limitParam(q.limit, 20, 1000))]);
    const tagged = values.reduce((sum, v) => sum + v.events, 0);
    return {
      key,
      totalEvents: total,
      values: values.map((v) => ({ value: v.value, events: v.events, issues: v.issues, users: v.users, percentage: percentage(v.events, total) })),
      /** Events in scope without this key, when all its values fit in the answer. */
      withoutKey: values.length < limitParam(q.limit, 20, 1000) ? total - tagged : null,
    };
  }

  app.get('/api/0/projects/:projectId/tags/:key/distribution/', distribution);

  // Compare variants: the same figures side by side, with the error rate: error events per
  // transaction (trace) carrying the same value in the same window. No transactions: null, never guessed.
  app.get('/api/0/projects/:projectId/tags/:key/compare/', async (request) => {
    const result = await distribution(request);
    const projectId = idParam((request.params as { projectId: string }).projectId, 'project');
    const q = request.query as Record<string, unknown>;
    // Transactions are counted under the same environment and query as the events, else a filtered
    // rate divides filtered errors by every transaction of the window.
    const { filter, notApplied } = transactionFilter(searchFilter(q));
    const traffic = await store.tracesPerTagValue(projectId, result.key, null, timeWindow(q), filter);
    // Values with traffic but no error in scope are variants too: their error rate is 0.
    const quiet = [...traffic.keys()].filter((value) => !result.values.some((v) => v.value === value));
    const rows = [...result.values, ...quiet.map((value) => ({ value, events: 0, issues: 0, users: 0, percentage: 0 }))];
    return {
      key: result.key,
      totalEvents: result.totalEvents,
      /** Conditions of the query that transactions carry no value for (free text, level, is:): not applied to them. */
      transactionsNotFilteredBy: notApplied,
      variants: rows.map((v) => {
        const transactions = traffic.get(v.value) ?? 0;
        return { ...v, transactions, errorRate: transactions > 0 ? round(v.events / transactions, 4) : null };
      }),
    };
  });

  app.get('/api/0/projects/:projectId/events/stats/', async (request) => {
    const scope = await projectScope(request);
    const q = request.query as Record<string, unknown>;
    const range = statsRange(stringParam(q.period, 'period'), stringParam(q.interval, 'interval'));
    const counts = await store.eventStats(scope.projectId, scope.filter, range);
    return { interval: range.interval, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), buckets: bucketsOf(range, counts) };
  });

  app.get('/api/0/projects/:projectId/tags/:key/stats/', async (request) => {
    const scope = await projectScope(request);
    const { key } = request.params as { key: string };
    const q = request.query as Record<string, unknown>;
    const range = statsRange(stringParam(q.period, 'period'), stringParam(q.interval, 'interval') ?? '1h');
    if (range.interval === 'minute') throw new HttpError(400, 'invalid_parameter', 'per-value trends use 1h or 1d buckets');
    const requested = stringParam(q.values, 'values');
    const values = requested
      ? requested.split(',').map((v) => v.trim()).filter(Boolean).slice(0, 20)
      : (await store.projectTagValues(scope.projectId, key, '', limitParam(q.limit, 5, 20))).map((v) => v.value);
    const series = await store.tagValueStats(scope.projectId, key, values, range);
    return {
      key,
      interval: range.interval,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      series: values.map((value) => ({ value, buckets: bucketsOf(range, series.get(value) ?? []) })),
    };
  });

  // Which tag values are over-represented in this issue compared with the rest of the project over
  // the hours the issue was active: share, lift, and a two-proportion z-test, strongest first.
  app.get('/api/0/issues/:issueId/tags/correlation/', async (request) => {
    const issue = await requireIssue(request, store);
    const q = request.query as Record<string, unknown>;
    const prefix = (stringParam(q.prefix, 'prefix') ?? stringParam(q.key, 'key') ?? '').replace(/\*$/, '');
    const minCount = limitParam(q.minCount, 1, 1_000_000_000);
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
      values: rows.slice(0, limitParam(q.limit, 50, 1000)),
    };
  });
}
