import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { SearchExpr } from '../../query/ast.js';
import { IDENTITY_TAG_KEYS, INTERVAL_MS, type AnalyticsScope, type StatsRange, type TagValueBreakdown } from '../types.js';
import { isStoredId, SearchCompiler, wildcardToLike } from './search-sql.js';
import type { Tables } from './tables.js';

const HOUR_MS = INTERVAL_MS.hour;

/** `key:value`, `key:[a, b]` or `key:pattern*` alone; an event has one value per key, so counts add up. */
function singleTagCondition(expr: SearchExpr): { key: string; values: string[]; pattern?: string } | null {
  if (expr.kind !== 'predicate' || expr.field.type !== 'tag') return null;
  if (expr.op === 'in' || expr.op === '=') return { key: expr.field.key, values: expr.values.map(String) };
  if (expr.op === 'glob') return { key: expr.field.key, values: [], pattern: String(expr.values[0]) };
  return null;
}

/** Project-wide tag analytics, trends and correlation baselines. */
export class AnalyticsQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  private filtered<QB extends { where: (...args: any[]) => QB }>(q: QB, scope: AnalyticsScope): QB {
    let out = q;
    if (scope.window) {
      out = out.where('e.timestamp', '>=', Math.floor(scope.window.from)).where('e.timestamp', '<', Math.ceil(scope.window.to));
    }
    if (scope.filter) {
      const compiler = new SearchCompiler(this.db, scope.projectId, 'events', 'e');
      out = out.where((eb: ExpressionBuilder<Tables, 'events'>) => compiler.compile(eb, scope.filter!));
    }
    return out;
  }

  /** Events matching the scope (the denominator of a distribution's percentages). */
  async countEvents(scope: AnalyticsScope): Promise<number> {
    if (!scope.filter && !scope.window) {
      const row = await this.db
        .selectFrom('issues')
        .select((eb) => eb.fn.sum<number>('count').as('n'))
        .where('project_id', '=', scope.projectId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    }
    const q = this.db.selectFrom('events as e').select((eb) => eb.fn.countAll<number>().as('n')).where('e.project_id', '=', scope.projectId);
    const row = await this.filtered(q, scope).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * For each value of a key (or of every key, when key is null) among the scope's events: events,
   * distinct issues, distinct users.
   */
  async tagBreakdown(scope: AnalyticsScope, key: string | null, limit: number): Promise<TagValueBreakdown[]> {
    if (key !== null && !scope.filter && !scope.window && !IDENTITY_TAG_KEYS.has(key)) {
      return this.wholeProjectBreakdown(scope.projectId, key, limit);
    }
    let q = this.db
      .selectFrom('tag_values as tv')
      .innerJoin('event_tags as et', (join) => join.onRef('et.project_id', '=', 'tv.project_id').onRef('et.value_id', '=', 'tv.id'))
      .innerJoin('events as e', (join) =>
        join.onRef('e.project_id', '=', 'et.project_id').onRef('e.row', '=', 'et.event_row').onRef('e.timestamp', '=', 'et.timestamp'),
      )
      .select([
        'tv.key',
        'tv.value',
        (eb) => eb.fn.countAll<number>().as('events'),
        sql<number>`count(DISTINCT e.issue_id)`.as('issues'),
        sql<number>`count(DISTINCT e.user_hash)`.as('users'),
      ])
      .where('tv.project_id', '=', scope.projectId);
    if (key !== null) q = q.where('tv.key', '=', key);
    const rows = await this.filtered(q, scope)
      .groupBy(['tv.id', 'tv.key', 'tv.value'])
      .orderBy('events', 'desc')
      .orderBy(sql`tv.value COLLATE "C"`)
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: r.key, value: r.value, events: Number(r.events), issues: Number(r.issues), users: Number(r.users) }));
  }

  /**
   * One key over all of a project's events, from the rows kept at write time (events from
   * tag_value_hours, issues from issue_tag_values, users from tag_value_users) rather than a scan
   * of every event; the SQLite store does the same (contract test compares it with the scan).
   * Identity keys have no per-issue rows, so they keep the scan.
   */
  private async wholeProjectBreakdown(projectId: number, key: string, limit: number): Promise<TagValueBreakdown[]> {
    const { rows } = await sql<{ value: string; events: string; issues: string; users: string }>`
      SELECT v.value, v.events,
        (SELECT count(*) FROM issue_tag_values itv WHERE itv.project_id = ${projectId} AND itv.value_id = v.id) AS issues,
        (SELECT count(*) FROM tag_value_users u WHERE u.project_id = ${projectId} AND u.value_id = v.id) AS users
      FROM (
        SELECT tv.id, tv.value,
          (SELECT coalesce(sum(h.count), 0) FROM tag_value_hours h WHERE h.project_id = ${projectId} AND h.value_id = tv.id) AS events
        FROM tag_values tv WHERE tv.project_id = ${projectId} AND tv.key = ${key}
      ) v
      WHERE v.events > 0
      ORDER BY v.events DESC, v.value COLLATE "C" LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({ key, value: r.value, events: Number(r.events), issues: Number(r.issues), users: Number(r.users) }));
  }

  /** Event counts per bucket for the scope; hour and day buckets of unfiltered scopes come from rollups. */
  async eventStats(projectId: number, filter: SearchExpr | null, range: StatsRange): Promise<number[]> {
    const size = INTERVAL_MS[range.interval];
    const counts = new Array<number>(Math.ceil((range.to - range.from) / size)).fill(0);
    const add = (at: number, n: number) => {
      const i = Math.floor((at - range.from) / size);
      if (i >= 0 && i < counts.length) counts[i]! += n;
    };
    const fromHour = Math.floor(range.from / HOUR_MS);
    const toHour = Math.ceil(range.to / HOUR_MS);
    if (!filter && range.interval !== 'minute') {
      const rows = await this.db
        .selectFrom('project_hours')
        .select(['hour', 'count'])
        .where('project_id', '=', projectId)
        .where('hour', '>=', fromHour)
        .where('hour', '<', toHour)
        .execute();
      for (const r of rows) add(r.hour * HOUR_MS, r.count);
      return counts;
    }
    // One tag condition (`tier:enterprise`, `release:1.2.*`): the per-value hourly rollup answers it.
    const tag = filter && range.interval !== 'minute' ? singleTagCondition(filter) : null;
    if (tag) {
      let q = this.db
        .selectFrom('tag_value_hours as h')
        .innerJoin('tag_values as tv', (join) => join.onRef('tv.project_id', '=', 'h.project_id').onRef('tv.id', '=', 'h.value_id'))
        .select(['h.hour', (eb) => eb.fn.sum<number>('h.count').as('n')])
        .where('h.project_id', '=', projectId)
        .where('tv.key', '=', tag.key)
        .where('h.hour', '>=', fromHour)
        .where('h.hour', '<', toHour);
      q = tag.pattern ? q.where(sql<boolean>`tv.value ILIKE ${wildcardToLike(tag.pattern)}`) : q.where('tv.value', 'in', tag.values);
      for (const r of await q.groupBy('h.hour').execute()) add(r.hour * HOUR_MS, Number(r.n));
      return counts;
    }
    const from = Math.floor(range.from);
    const q = this.db
      .selectFrom('events as e')
      .select([sql<number>`(e.timestamp - ${from}::bigint) / ${size}::bigint`.as('bucket'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('e.project_id', '=', projectId);
    const rows = await this.filtered(q, { projectId, filter, window: range }).groupBy('bucket').execute();
    for (const r of rows) add(from + Number(r.bucket) * size, Number(r.n));
    return counts;
  }

  /** Hourly or daily series for given values of a key, from the per-value rollup. */
  async tagValueStats(projectId: number, key: string, values: string[], range: StatsRange): Promise<Map<string, number[]>> {
    const size = INTERVAL_MS[range.interval];
    const buckets = Math.ceil((range.to - range.from) / size);
    const series = new Map(values.map((v) => [v, new Array<number>(buckets).fill(0)]));
    if (values.length === 0) return series;
    const rows = await this.db
      .selectFrom('tag_value_hours as h')
      .innerJoin('tag_values as tv', (join) => join.onRef('tv.project_id', '=', 'h.project_id').onRef('tv.id', '=', 'h.value_id'))
      .select(['tv.value', 'h.hour', 'h.count'])
      .where('h.project_id', '=', projectId)
      .where('tv.key', '=', key)
      .where('tv.value', 'in', values)
      .where('h.hour', '>=', Math.floor(range.from / HOUR_MS))
      .where('h.hour', '<', Math.ceil(range.to / HOUR_MS))
      .execute();
    for (const r of rows) {
      const i = Math.floor((r.hour * HOUR_MS - range.from) / size);
      const s = series.get(r.value);
      if (s && i >= 0 && i < buckets) s[i]! += r.count;
    }
    return series;
  }

  /**
   * Correlation inputs for one issue: each of its tag values with the issue's count, and the
   * project's count of that value and of all events over the hours the issue was active.
   */
  async correlationCounts(issueId: number, projectId: number, keyPrefix: string, fromHour: number, toHour: number) {
    if (!isStoredId(issueId)) return { values: [], windowTotal: 0 };
    const [from, to] = [Math.max(-2_147_483_648, Math.floor(fromHour)), Math.min(2_147_483_647, Math.ceil(toHour))];
    let values = this.db
      .selectFrom('issue_tag_values as itv')
      .innerJoin('tag_values as tv', (join) => join.onRef('tv.project_id', '=', 'itv.project_id').onRef('tv.id', '=', 'itv.value_id'))
      .select(['tv.id', 'tv.key', 'tv.value', 'itv.count'])
      .where('itv.project_id', '=', projectId)
      .where('itv.issue_id', '=', issueId);
    if (keyPrefix) values = values.where(sql<boolean>`substr(tv.key, 1, ${keyPrefix.length}::int) = ${keyPrefix}`);
    const issueValues = await values.execute();
    const baseline = new Map<number, number>();
    if (issueValues.length > 0) {
      const rows = await this.db
        .selectFrom('tag_value_hours')
        .select(['value_id', (eb) => eb.fn.sum<number>('count').as('n')])
        .where('project_id', '=', projectId)
        .where('value_id', 'in', issueValues.map((v) => v.id))
        .where('hour', '>=', from)
        .where('hour', '<=', to)
        .groupBy('value_id')
        .execute();
      for (const r of rows) baseline.set(r.value_id, Number(r.n));
    }
    const total = await this.db
      .selectFrom('project_hours')
      .select((eb) => eb.fn.sum<number>('count').as('n'))
      .where('project_id', '=', projectId)
      .where('hour', '>=', from)
      .where('hour', '<=', to)
      .executeTakeFirst();
    return {
      values: issueValues.map((v) => ({ key: v.key, value: v.value, issueCount: v.count, windowCount: baseline.get(v.id) ?? 0 })),
      windowTotal: Number(total?.n ?? 0),
    };
  }
}
