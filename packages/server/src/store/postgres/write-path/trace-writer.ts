import { sql, type Transaction } from 'kysely';
import type { RootKind, SpanInput, SpanStatus, TelemetryBatch, TraceStatus } from '../../trace-types.js';
import type { Tables } from '../tables.js';

type Tx = Transaction<Tables>;
const blob = (hex: string | null) => (hex ? Buffer.from(hex, 'hex') : null);

interface TraceRow {
  row: number;
  trace_id: Buffer;
  start_ms: number;
  end_ms: number;
  root_kind: RootKind;
  root_start: number | null;
  root_end: number | null;
  root_span_id: Buffer | null;
  root_status: string | null;
  name: string | null;
  error_spans: number;
  span_count: number;
}

/**
 * The trace's status: its root span's, except that an UNSET root (OpenTelemetry's default) over a
 * failed child makes the trace ERROR. A trace whose root has not arrived yet is UNSET unless a span
 * already failed. (The same rule as the SQLite backend's trace-writer.ts.)
 */
export function traceStatus(rootStatus: SpanStatus | null, errorSpans: number): TraceStatus {
  if (rootStatus === 'error') return 'ERROR';
  if (rootStatus === 'ok') return 'OK';
  return errorSpans > 0 ? 'ERROR' : 'UNSET';
}

/**
 * Writes spans, trace tags / metadata and logs inside the writer's transaction. Spans of one trace
 * may come in several envelopes, to several processes: each batch locks the trace rows it touches
 * (in trace id order) and folds its new spans into them (first start, last end, span count, root).
 */
export class TraceWriter {
  async write(tx: Tx, batch: TelemetryBatch): Promise<void> {
    const byTrace = new Map<string, SpanInput[]>();
    for (const span of batch.spans) {
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    const traceIds = [...new Set([...byTrace.keys(), ...batch.annotations.map((a) => a.traceId)])].sort();
    if (traceIds.length > 0) {
      const rows = await this.lockTraces(tx, batch.projectId, traceIds, byTrace);
      for (const [traceId, spans] of byTrace) await this.writeSpans(tx, batch.projectId, rows.get(traceId)!, spans);
      await this.annotate(tx, batch, rows);
    }
    if (batch.logs.length > 0) {
      const logs = batch.logs;
      await sql`INSERT INTO logs (project_id, timestamp_ms, level, severity, body, trace_id, span_id, attributes)
        SELECT ${batch.projectId}::int, * FROM unnest(${logs.map((l) => l.timestampMs)}::float8[], ${logs.map((l) => l.level)}::text[],
          ${logs.map((l) => l.severity)}::int[], ${logs.map((l) => l.body)}::text[], ${logs.map((l) => blob(l.traceId))}::bytea[],
          ${logs.map((l) => blob(l.spanId))}::bytea[],
          ${logs.map((l) => (Object.keys(l.attributes).length ? JSON.stringify(l.attributes) : null))}::jsonb[])`.execute(tx);
    }
  }

  /** Creates missing trace rows (placeholder times for tags that came first) and locks them all. */
  private async lockTraces(tx: Tx, projectId: number, traceIds: string[], byTrace: Map<string, SpanInput[]>): Promise<Map<string, TraceRow>> {
    const now = Date.now();
    const start = traceIds.map((id) => byTrace.get(id)?.[0]?.startMs ?? now);
    const end = traceIds.map((id) => byTrace.get(id)?.[0]?.endMs ?? now);
    const ids = traceIds.map((id) => Buffer.from(id, 'hex'));
    await sql`INSERT INTO traces (project_id, trace_id, timestamp_ms, execution_time_ms, start_ms, end_ms)
      SELECT ${projectId}::int, id, floor(s)::bigint, 0, s, e FROM unnest(${ids}::bytea[], ${start}::float8[], ${end}::float8[]) AS w(id, s, e)
      ON CONFLICT (project_id, trace_id) DO NOTHING`.execute(tx);
    const found = await sql<TraceRow>`
      SELECT row, trace_id, start_ms, end_ms, root_kind, root_start, root_end, root_span_id, root_status, name, error_spans, span_count
      FROM traces WHERE project_id = ${projectId} AND trace_id = ANY(${ids}::bytea[]) ORDER BY trace_id FOR UPDATE`.execute(tx);
    return new Map(found.rows.map((r) => [r.trace_id.toString('hex'), r]));
  }

  private async annotate(tx: Tx, batch: TelemetryBatch, rows: Map<string, TraceRow>): Promise<void> {
    const tags = new Map<string, [number, string, string]>();
    const metadata = new Map<string, [number, string, string]>();
    for (const a of batch.annotations) {
      const row = rows.get(a.traceId)!.row;
      for (const [key, value] of Object.entries(a.tags)) tags.set(`${row}\u0000${key}`, [row, key, value]);
      for (const [key, value] of Object.entries(a.metadata)) if (!metadata.has(`${row}\u0000${key}`)) metadata.set(`${row}\u0000${key}`, [row, key, value]);
    }
    for (const [table, entries] of [['trace_tags', tags], ['trace_metadata', metadata]] as const) {
      if (entries.size === 0) continue;
      const list = [...entries.values()].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const conflict = table === 'trace_tags' ? sql`DO UPDATE SET value = excluded.value` : sql`DO NOTHING`;
      await sql`INSERT INTO ${sql.table(table)} (project_id, trace_row, key, value)
        SELECT ${batch.projectId}::int, * FROM unnest(${list.map((e) => e[0])}::bigint[], ${list.map((e) => e[1])}::text[], ${list.map((e) => e[2])}::text[])
        ON CONFLICT (project_id, trace_row, key) ${conflict}`.execute(tx);
    }
  }

  private async writeSpans(tx: Tx, projectId: number, t: TraceRow, spans: SpanInput[]): Promise<void> {
    const unique = [...new Map(spans.map((s) => [`${s.spanId}:${s.startMs}`, s])).values()];
    const inserted = await sql<{ span_id: Buffer; start_ms: number }>`
      INSERT INTO spans (project_id, trace_row, span_id, start_ms, parent_span_id, name, op, status, end_ms, data)
      SELECT ${projectId}::int, ${t.row}::bigint, * FROM unnest(${unique.map((s) => Buffer.from(s.spanId, 'hex'))}::bytea[],
        ${unique.map((s) => s.startMs)}::float8[], ${unique.map((s) => blob(s.parentSpanId))}::bytea[], ${unique.map((s) => s.name)}::text[],
        ${unique.map((s) => s.op)}::text[], ${unique.map((s) => s.status)}::text[], ${unique.map((s) => s.endMs)}::float8[],
        ${unique.map((s) => (Object.keys(s.data).length ? JSON.stringify(s.data) : null))}::jsonb[])
      ON CONFLICT DO NOTHING RETURNING span_id, start_ms`.execute(tx);
    if (inserted.rows.length === 0) return;
    const added = new Set(inserted.rows.map((r) => `${r.span_id.toString('hex')}:${r.start_ms}`));
    let { start_ms: startMs, end_ms: endMs, root_kind: rootKind, root_start: rootStart, root_end: rootEnd } = t;
    let { root_span_id: rootSpanId, root_status: rootStatus, name, error_spans: errorSpans, span_count: spanCount } = t;
    if (spanCount === 0) {
      // A row made for tags that came first has placeholder times.
      startMs = Infinity;
      endMs = -Infinity;
    }
    for (const span of unique) {
      if (!added.has(`${span.spanId}:${span.startMs}`)) continue;
      spanCount++;
      if (span.status === 'error') errorSpans++;
      startMs = Math.min(startMs, span.startMs);
      endMs = Math.max(endMs, span.endMs);
      const better = span.rootKind > rootKind || (span.rootKind === rootKind && span.rootKind > 0 && rootStart !== null && span.startMs < rootStart);
      if (span.rootKind > 0 && better) {
        rootKind = span.rootKind;
        rootStart = span.startMs;
        rootEnd = span.endMs;
        rootSpanId = Buffer.from(span.spanId, 'hex');
        rootStatus = span.status;
        name = span.name;
      }
    }
    const hasRoot = rootStart !== null && rootEnd !== null;
    await sql`UPDATE traces SET name = ${name}, status = ${traceStatus(rootStatus as SpanStatus | null, errorSpans)},
        timestamp_ms = ${Math.floor(hasRoot ? rootStart! : startMs)}, execution_time_ms = ${Math.round(hasRoot ? rootEnd! - rootStart! : endMs - startMs)},
        span_count = ${spanCount}, start_ms = ${startMs}, end_ms = ${endMs}, root_span_id = ${rootSpanId}, root_kind = ${rootKind},
        root_start = ${rootStart}, root_end = ${rootEnd}, root_status = ${rootStatus}, error_spans = ${errorSpans}
      WHERE project_id = ${projectId} AND row = ${t.row}`.execute(tx);
  }
}
