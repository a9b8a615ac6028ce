/** Shapes of the trace and log API (docs/traces.md), as far as the Traces pages read them. */

export interface TraceSummary {
  traceId: string;
  projectId: number;
  name: string | null;
  status: 'OK' | 'ERROR' | 'UNSET';
  timestamp: string;
  timestampMs: number;
  executionTimeMs: number;
  spanCount: number;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

export interface SpanNode {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  op: string | null;
  status: 'ok' | 'error' | 'unset';
  startMs: number;
  endMs: number;
  durationMs: number;
  offsetMs: number;
  depth: number;
  data: Record<string, unknown>;
  children: SpanNode[];
}

export interface LogRecord {
  timestamp: string;
  timestampMs: number;
  level: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
  attributes: Record<string, unknown>;
}

export interface TraceDetail extends TraceSummary {
  startMs: number;
  endMs: number;
  spans: SpanNode[];
  errors: Array<{ eventId: string; issueId: number; timestamp: string; title: string; culprit: string; level: string }>;
  logs: LogRecord[];
}

/** "850 ms", "12.3 s", "2.1 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
