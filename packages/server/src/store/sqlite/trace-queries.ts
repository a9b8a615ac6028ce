import { sql, type Kysely } from 'kysely';
import type { SearchExpr } from '../../query/ast.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Page } from '../types.js';
import type { LogQuery, LogRecord, SpanRecord, TraceSearchQuery, TraceStatus, TraceSummary } from '../trace-types.js';
import { planTraceSearch } from './trace-plan.js';
import { TraceSearchCompiler } from './trace-search-sql.js';
import type { Tables } from './tables.js';

const hex = (b: Buffer | null) => (b ? b.toString('hex') : null);
const ORDER_SQL = {
  timestamp_ms: sql`t.timestamp_ms`,
  execution_time_ms: sql`t.execution_time_ms`,
  name: sql`coalesce(t.name, '')`,
  status: sql`t.status`,
  span_count: sql`t.span_count`,
};

type TraceRow = Pick<
  Tables['traces'],
  'project_id' | 'trace_id' | 'name' | 'status' | 'timestamp_ms' | 'execution_time_ms' | 'span_count' | 'start_ms' | 'end_ms'
> & { row: number };

/** Page tokens are the store's keyset cursors (store/cursor.ts). */
function decodeToken(token: string): [string | number, number] {
  const cursor = decodeCursor(token);
  if (!cursor) throw new RangeError('page_token is not a token this server gave out');
  return [cursor.sortValue, cursor.id];
}

export interface TraceDetailRows {
  trace: TraceSummary & { startMs: number; endMs: number };
  spans: SpanRecord[];
}

/** Trace search, trace details, trace tags and logs. */
export class TraceQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async searchTraces(q: TraceSearchQuery): Promise<Page<TraceSummary>> {
    const order = ORDER_SQL[q.order.field];
    const desc = q.order.direction === 'desc';
    const conditions = [sql`t.project_id = ${q.projectId}`, sql`t.span_count > 0`];
    if (q.filter) conditions.push(new TraceSearchCompiler(q.projectId, await planTraceSearch(this.db, q.projectId, q.filter)).compile(q.filter));
    if (q.pageToken) {
      const [value, row] = decodeToken(q.pageToken);
      conditions.push(desc ? sql`(${order} < ${value} OR (${order} = ${value} AND t.row < ${row}))` : sql`(${order} > ${value} OR (${order} = ${value} AND t.row > ${row}))`);
    }
    const direction = desc ? sql`DESC` : sql`ASC`;
    const result = await sql<TraceRow & { sort_value: string | number }>`
      SELECT t.row, t.project_id, t.trace_id, t.name, t.status, t.timestamp_ms, t.execution_time_ms, t.span_count,
        t.start_ms, t.end_ms, ${order} AS sort_value
      FROM traces t WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY ${order} ${direction}, t.row ${direction} LIMIT ${q.limit + 1}`.execute(this.db);
    const rows = result.rows.slice(0, q.limit);
    const last = rows.at(-1);
    const items = await this.summaries(rows);
    return { items, nextCursor: result.rows.length > q.limit && last ? encodeCursor(last.sort_value, last.row) : null };
  }

  private async summaries(rows: TraceRow[]): Promise<TraceSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.row);
    const [tags, metadata] = await Promise.all([
      this.db.selectFrom('trace_tags').select(['trace_row', 'key', 'value']).where('trace_row', 'in', ids).orderBy('key').execute(),
      this.db.selectFrom('trace_metadata').select(['trace_row', 'key', 'value']).where('trace_row', 'in', ids).orderBy('key').execute(),
    ]);
    const group = (list: Array<{ trace_row: number; key: string; value: string }>) => {
      const map = new Map<number, Record<string, string>>();
      for (const r of list) {
        const entry = map.get(r.trace_row) ?? {};
        entry[r.key] = r.value;
        map.set(r.trace_row, entry);
      }
      return map;
    };
    const tagMap = group(tags);
    const metaMap = group(metadata);
    return rows.map((r) => ({
      traceId: r.trace_id.toString('hex'),
      projectId: r.project_id,
      name: r.name,
      status: r.status as TraceStatus,
      timestampMs: r.timestamp_ms,
      executionTimeMs: r.execution_time_ms,
      spanCount: r.span_count,
      tags: tagMap.get(r.row) ?? {},
      metadata: metaMap.get(r.row) ?? {},
    }));
  }

  /** The projects (of those given, or any) that hold this trace id. */
  async traceProjects(traceId: string): Promise<number[]> {
    const rows = await this.db.selectFrom('traces').select('project_id').where('trace_id', '=', Buffer.from(traceId, 'hex')).orderBy('project_id').execute();
    return rows.map((r) => r.project_id);
  }

  async getTrace(projectId: number, traceId: string): Promise<TraceDetailRows | undefined> {
    const row = await this.db
      .selectFrom('traces as t')
      .select(['t.row', 't.project_id', 't.trace_id', 't.name', 't.status', 't.timestamp_ms', 't.execution_time_ms', 't.span_count', 't.start_ms', 't.end_ms'])
      .where('t.trace_id', '=', Buffer.from(traceId, 'hex'))
      .where('t.project_id', '=', projectId)
      .executeTakeFirst();
    if (!row) return undefined;
    const [summary] = await this.summaries([row]);
    const spans = await this.db.selectFrom('spans').selectAll().where('trace_row', '=', row.row).orderBy('start_ms').execute();
    return {
      trace: { ...summary!, startMs: row.start_ms, endMs: row.end_ms },
      spans: spans.map((s) => ({
        spanId: s.span_id.toString('hex'),
        parentSpanId: hex(s.parent_span_id),
        name: s.name,
        op: s.op,
        status: s.status as SpanRecord['status'],
        startMs: s.start_ms,
        endMs: s.end_ms,
        durationMs: Math.round((s.end_ms - s.start_ms) * 1000) / 1000,
        data: s.data ? (JSON.parse(s.data) as Record<string, unknown>) : {},
      })),
    };
  }

  /** Error events carrying the trace id, found among the project's events in a time window. */
  async traceEvents(projectId: number, traceId: string, fromMs: number, toMs: number, limit: number) {
    // events has no trace_id index (it would cost every event a B-tree insert); the window of the
    // trace, widened by 5 minutes each side, bounds the scan through events_project_time.
    const rows = await this.db
      .selectFrom('events as e')
      .innerJoin('issues as i', 'i.id', 'e.issue_id')
      .select(['e.event_id', 'e.issue_id', 'e.timestamp', 'i.title', 'i.culprit', 'i.level'])
      .where('e.project_id', '=', projectId)
      .where('e.timestamp', '>=', Math.floor(fromMs))
      .where('e.timestamp', '<=', Math.ceil(toMs))
      .where('e.trace_id', '=', Buffer.from(traceId, 'hex'))
      .orderBy('e.timestamp')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      eventId: r.event_id.toString('hex'),
      issueId: r.issue_id,
      timestamp: new Date(r.timestamp).toISOString(),
      title: r.title,
      culprit: r.culprit,
      level: r.level,
    }));
  }

  /** Sets a tag on the trace; false when the project has no such trace. */
  async setTraceTag(projectId: number, traceId: string, key: string, value: string): Promise<boolean> {
    const result = await sql`
      INSERT INTO trace_tags (trace_row, project_id, key, value)
      SELECT row, project_id, ${key}, ${value} FROM traces WHERE trace_id = ${Buffer.from(traceId, 'hex')} AND project_id = ${projectId}
      ON CONFLICT (trace_row, key) DO UPDATE SET value = excluded.value`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** Removes a tag; resolves with whether the trace had it. */
  async deleteTraceTag(projectId: number, traceId: string, key: string): Promise<boolean> {
    const result = await sql`
      DELETE FROM trace_tags WHERE key = ${key} AND project_id = ${projectId}
        AND trace_row IN (SELECT row FROM traces WHERE trace_id = ${Buffer.from(traceId, 'hex')} AND project_id = ${projectId})`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** Sets and deletes tags on every trace matching a search, in one transaction. */
  async tagMatchingTraces(q: Pick<TraceSearchQuery, 'projectId' | 'filter'>, set: Record<string, string>, remove: string[]): Promise<number> {
    const conditions = [sql`t.project_id = ${q.projectId}`, sql`t.span_count > 0`];
    if (q.filter) conditions.push(new TraceSearchCompiler(q.projectId, await planTraceSearch(this.db, q.projectId, q.filter)).compile(q.filter));
    const where = sql.join(conditions, sql` AND `);
    return this.db.transaction().execute(async (tx) => {
      // Take the write lock before reading. Kysely's BEGIN is deferred: a transaction that reads
      // first and writes second fails at once (SQLITE_BUSY_SNAPSHOT, busy_timeout does not apply)
      // when the writer thread commits in between, as it does all the time under ingest.
      await sql`DELETE FROM trace_tags WHERE 0`.execute(tx);
      const count = await sql<{ n: number }>`SELECT count(*) AS n FROM traces t WHERE ${where}`.execute(tx);
      for (const [key, value] of Object.entries(set)) {
        await sql`INSERT INTO trace_tags (trace_row, project_id, key, value)
          SELECT t.row, t.project_id, ${key}, ${value} FROM traces t WHERE ${where}
          ON CONFLICT (trace_row, key) DO UPDATE SET value = excluded.value`.execute(tx);
      }
      for (const key of remove) {
        await sql`DELETE FROM trace_tags WHERE project_id = ${q.projectId} AND key = ${key}
          AND trace_row IN (SELECT t.row FROM traces t WHERE ${where})`.execute(tx);
      }
      return Number(count.rows[0]?.n ?? 0);
    });
  }

  async listLogs(q: LogQuery): Promise<Page<LogRecord>> {
    let query = this.db
      .selectFrom('logs')
      .select(['row', 'timestamp_ms', 'level', 'severity', 'body', 'trace_id', 'span_id', 'attributes'])
      .where('project_id', '=', q.projectId);
    if (q.traceId) query = query.where('trace_id', '=', Buffer.from(q.traceId, 'hex'));
    if (q.from !== undefined) query = query.where('timestamp_ms', '>=', q.from);
    if (q.to !== undefined) query = query.where('timestamp_ms', '<=', q.to);
    if (q.levels?.length) query = query.where('level', 'in', q.levels);
    if (q.text) {
      const pattern = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`body LIKE ${pattern} ESCAPE '\\'`);
    }
    for (const { names, value } of q.attributes ?? []) {
      // json_extract paths quote the name, so a dotted name is one key, not a nested path.
      const paths = names.map((name) => `$."${name.replace(/"/g, '')}"`);
      query = query.where(sql<boolean>`(${sql.join(paths.map((path) => sql`json_extract(attributes, ${path}) = ${value}`), sql` OR `)})`);
    }
    const desc = q.order === 'desc';
    if (q.cursor) {
      const [value, row] = decodeToken(q.cursor);
      query = query.where(desc ? sql<boolean>`(timestamp_ms < ${value} OR (timestamp_ms = ${value} AND row < ${row}))` : sql<boolean>`(timestamp_ms > ${value} OR (timestamp_ms = ${value} AND row > ${row}))`);
    }
    const rows = await query.orderBy('timestamp_ms', q.order).orderBy('row', q.order).limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        timestamp: new Date(r.timestamp_ms).toISOString(),
        timestampMs: r.timestamp_ms,
        level: r.level,
        severity: r.severity,
        body: r.body,
        traceId: hex(r.trace_id),
        spanId: hex(r.span_id),
        attributes: r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : {},
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.timestamp_ms, last.row) : null,
    };
  }

  /** Traces (transactions) per value of a tag, for error rates per variant. */
  async tracesPerTagValue(projectId: number, key: string, values: string[] | null, window: { from: number; to: number } | null, filter: SearchExpr | null = null): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (values?.length === 0) return out;
    let query = this.db
      .selectFrom('trace_tags as tt')
      .select(['tt.value', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tt.project_id', '=', projectId)
      .where('tt.key', '=', key)
      .groupBy('tt.value')
      .orderBy('n', 'desc')
      .limit(1000);
    if (values) query = query.where('tt.value', 'in', values);
    if (window || filter) query = query.innerJoin('traces as t', 't.row', 'tt.trace_row');
    if (window) query = query.where(sql<boolean>`t.timestamp_ms >= ${window.from} AND t.timestamp_ms < ${window.to}`);
    // The compare page's environment and query, as trace conditions (api/analytics.ts translates them).
    if (filter) query = query.where(new TraceSearchCompiler(projectId).compile(filter));
    for (const r of await query.execute()) out.set(r.value, Number(r.n));
    return out;
  }
}
