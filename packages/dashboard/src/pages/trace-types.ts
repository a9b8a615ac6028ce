/** The trace and log API's types come from the server's route schemas (docs/traces.md). */

export type { LogRecord, SpanNode, TraceDetail, TraceSummary } from '@proliferate/api';

/** "850 ms", "12.3 s", "2.1 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
