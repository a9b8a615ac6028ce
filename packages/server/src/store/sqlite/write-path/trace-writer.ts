import type Database from 'better-sqlite3';
import type { RootKind, SpanInput, SpanStatus, TelemetryBatch, TraceStatus } from '../../trace-types.js';

const blob = (hex: string | null) => (hex ? Buffer.from(hex, 'hex') : null);

interface TraceRow {
  row: number;
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
 * already failed.
 */
export function traceStatus(rootStatus: SpanStatus | null, errorSpans: number): TraceStatus {
  if (rootStatus === 'error') return 'ERROR';
  if (rootStatus === 'ok') return 'OK';
  return errorSpans > 0 ? 'ERROR' : 'UNSET';
}

/**
 * Writes spans, trace tags / metadata and logs inside the writer's transaction. Spans of one trace
 * may come in several envelopes (Sentry span streaming, OTLP batches): each batch folds into the
 * trace row (first start, last end, span count, root span), so a trace is searchable as soon as
 * any of its spans is stored.
 */
export class TraceWriter {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      findTrace: db.prepare<[number, Buffer], TraceRow>(
        `SELECT row, start_ms, end_ms, root_kind, root_span_id, root_status, name, error_spans, span_count,
           (SELECT start_ms FROM spans WHERE trace_row = traces.row AND span_id = traces.root_span_id) AS root_start,
           (SELECT end_ms FROM spans WHERE trace_row = traces.row AND span_id = traces.root_span_id) AS root_end
         FROM traces WHERE project_id = ? AND trace_id = ?`,
      ),
      insertTrace: db.prepare(
        `INSERT INTO traces (project_id, trace_id, timestamp_ms, execution_time_ms, start_ms, end_ms)
         VALUES (?, ?, ?, 0, ?, ?)`,
      ),
      insertSpan: db.prepare(
        `INSERT OR IGNORE INTO spans (trace_row, span_id, parent_span_id, name, op, status, start_ms, end_ms, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateTrace: db.prepare(
        `UPDATE traces SET name = @name, status = @status, timestamp_ms = @timestampMs,
           execution_time_ms = @executionTimeMs, span_count = @spanCount, start_ms = @startMs, end_ms = @endMs,
           root_span_id = @rootSpanId, root_kind = @rootKind, root_status = @rootStatus, error_spans = @errorSpans
         WHERE row = @row`,
      ),
      upsertTag: db.prepare(
        `INSERT INTO trace_tags (trace_row, project_id, key, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (trace_row, key) DO UPDATE SET value = excluded.value`,
      ),
      insertMetadata: db.prepare('INSERT OR IGNORE INTO trace_metadata (trace_row, project_id, key, value) VALUES (?, ?, ?, ?)'),
      insertLog: db.prepare(
        `INSERT INTO logs (project_id, timestamp_ms, level, severity, body, trace_id, span_id, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  write(batch: TelemetryBatch): void {
    const byTrace = new Map<string, SpanInput[]>();
    for (const span of batch.spans) {
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    const rows = new Map<string, number>();
    for (const [traceId, spans] of byTrace) rows.set(traceId, this.writeSpans(batch.projectId, traceId, spans));
    for (const a of batch.annotations) {
      const row = rows.get(a.traceId) ?? this.traceRow(batch.projectId, a.traceId);
      for (const [key, value] of Object.entries(a.tags)) this.stmt.upsertTag.run(row, batch.projectId, key, value);
      for (const [key, value] of Object.entries(a.metadata)) this.stmt.insertMetadata.run(row, batch.projectId, key, value);
    }
    for (const log of batch.logs) {
      this.stmt.insertLog.run(
        batch.projectId,
        log.timestampMs,
        log.level,
        log.severity,
        log.body,
        blob(log.traceId),
        blob(log.spanId),
        Object.keys(log.attributes).length ? JSON.stringify(log.attributes) : null,
      );
    }
  }

  /** The row of a trace, created empty when tags arrive before (or without) its spans. */
  private traceRow(projectId: number, traceId: string): number {
    const id = Buffer.from(traceId, 'hex');
    const found = this.stmt.findTrace.get(projectId, id);
    if (found) return found.row;
    const now = Date.now();
    return Number(this.stmt.insertTrace.run(projectId, id, now, now, now).lastInsertRowid);
  }

  private writeSpans(projectId: number, traceId: string, spans: SpanInput[]): number {
    const id = Buffer.from(traceId, 'hex');
    let t = this.stmt.findTrace.get(projectId, id);
    if (!t) {
      const first = spans[0]!;
      const row = Number(this.stmt.insertTrace.run(projectId, id, Math.floor(first.startMs), first.startMs, first.endMs).lastInsertRowid);
      t = {
        row, start_ms: first.startMs, end_ms: first.endMs, root_kind: 0, root_start: null, root_end: null,
        root_span_id: null, root_status: null, name: null, error_spans: 0, span_count: 0,
      };
    }
    let { start_ms: startMs, end_ms: endMs, root_kind: rootKind, root_start: rootStart, root_end: rootEnd } = t;
    let { root_span_id: rootSpanId, root_status: rootStatus, name, error_spans: errorSpans, span_count: spanCount } = t;
    if (spanCount === 0) {
      // A row made for tags that came first has placeholder times.
      startMs = Infinity;
      endMs = -Infinity;
    }
    for (const span of spans) {
      const inserted = this.stmt.insertSpan.run(
        t.row,
        Buffer.from(span.spanId, 'hex'),
        blob(span.parentSpanId),
        span.name,
        span.op,
        span.status,
        span.startMs,
        span.endMs,
        Object.keys(span.data).length ? JSON.stringify(span.data) : null,
      ).changes;
      if (inserted === 0) continue;
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
    if (spanCount === t.span_count) return t.row;
    const hasRoot = rootStart !== null && rootEnd !== null;
    this.stmt.updateTrace.run({
      row: t.row,
      name,
      status: traceStatus(rootStatus as SpanStatus | null, errorSpans),
      timestampMs: Math.floor(hasRoot ? rootStart! : startMs),
      executionTimeMs: Math.round(hasRoot ? rootEnd! - rootStart! : endMs - startMs),
      spanCount,
      startMs,
      endMs,
      rootSpanId,
      rootKind,
      rootStatus,
      errorSpans,
    });
    return t.row;
  }
}
