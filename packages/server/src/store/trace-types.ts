/**
 * Traces, spans, trace tags and logs: what ingest hands the writer, and what the API reads back.
 * Times are epoch milliseconds (fractions allowed on spans); ids are lowercase hex.
 */
import type { SearchExpr } from '../query/ast.js';

export type TraceStatus = 'OK' | 'ERROR' | 'UNSET';
export type SpanStatus = 'ok' | 'error' | 'unset';

/**
 * How sure we are that a span is the trace's root: 2 = it has no parent; 1 = it is a segment
 * (a Sentry transaction or is_segment span) whose parent lives in another service; 0 = a child.
 */
export type RootKind = 0 | 1 | 2;

export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** span.type in the filter grammar: Sentry's `op`, or the OTLP span kind's name. */
  op: string | null;
  status: SpanStatus;
  startMs: number;
  endMs: number;
  rootKind: RootKind;
  /** Span data / attributes as plain values. */
  data: Record<string, unknown>;
}

/** Tags and metadata sent with a trace by an SDK (transaction tags, updateCurrentTrace). */
export interface TraceAnnotations {
  traceId: string;
  tags: Record<string, string>;
  /** Write-once: a key already stored keeps its first value. */
  metadata: Record<string, string>;
}

export interface LogInput {
  timestampMs: number;
  level: string;
  severity: number | null;
  body: string;
  traceId: string | null;
  spanId: string | null;
  attributes: Record<string, unknown>;
}

/** Everything of one request that is not an error event, for one project. */
export interface TelemetryBatch {
  projectId: number;
  spans: SpanInput[];
  annotations: TraceAnnotations[];
  logs: LogInput[];
}

export interface TraceSummary {
  traceId: string;
  projectId: number;
  name: string | null;
  status: TraceStatus;
  timestampMs: number;
  executionTimeMs: number;
  spanCount: number;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

/** A stored span as the API returns it: what was ingested, within its trace, plus its duration. */
export type SpanRecord = Omit<SpanInput, 'traceId' | 'rootKind'> & { durationMs: number };

/** A stored log record as the API returns it: what was ingested, plus its time as ISO 8601. */
export type LogRecord = LogInput & { timestamp: string };

export type TraceOrderField = 'timestamp_ms' | 'execution_time_ms' | 'name' | 'status' | 'span_count';

export interface TraceSearchQuery {
  projectId: number;
  filter: SearchExpr | null;
  order: { field: TraceOrderField; direction: 'asc' | 'desc' };
  limit: number;
  pageToken?: string;
}

export interface LogQuery {
  projectId: number;
  traceId?: string;
  from?: number;
  to?: number;
  levels?: string[];
  /** Substring of the body, case-insensitive. */
  text?: string;
  /**
   * Attribute equal to a value, under any of the given names (session_id or session.id): how
   * backend logs carry the session of seed 001. Not indexed: bounded by the project and time.
   */
  attributes?: Array<{ names: string[]; value: string }>;
  limit: number;
  cursor?: string;
  order: 'asc' | 'desc';
}

/** The trace part of the Store contract (store/types.ts). */
export interface TraceStore {
  searchTraces(query: TraceSearchQuery): Promise<{ items: TraceSummary[]; nextCursor: string | null }>;
  /** Projects holding a trace id (one trace may cross services, each its own project). */
  traceProjects(traceId: string): Promise<number[]>;
  getTrace(projectId: number, traceId: string): Promise<{ trace: TraceSummary & { startMs: number; endMs: number }; spans: SpanRecord[] } | undefined>;
  traceEvents(
    projectId: number,
    traceId: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<Array<{ eventId: string; issueId: number; timestamp: string; title: string; culprit: string; level: string }>>;
  setTraceTag(projectId: number, traceId: string, key: string, value: string): Promise<boolean>;
  deleteTraceTag(projectId: number, traceId: string, key: string): Promise<boolean>;
  tagMatchingTraces(query: Pick<TraceSearchQuery, 'projectId' | 'filter'>, set: Record<string, string>, remove: string[]): Promise<number>;
  listLogs(query: LogQuery): Promise<{ items: LogRecord[]; nextCursor: string | null }>;
  /** Traces per value of a tag (values: null for every value, the 1,000 most frequent). */
  tracesPerTagValue(projectId: number, key: string, values: string[] | null, window: { from: number; to: number } | null, filter?: SearchExpr | null): Promise<Map<string, number>>;
}
