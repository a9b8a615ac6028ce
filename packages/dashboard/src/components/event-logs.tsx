/**
 * Seed 001 on the issue page: the logs of the event's trace within ±5 minutes of it, and a link to
 * the trace when the server has one.
 */
import { api } from '../api.js';
import { useAsync } from '../hooks.js';
import type { LogRecord } from '../pages/trace-types.js';
import { Link } from '../router.js';
import { LogTable } from './log-table.js';

export function EventLogs({ projectId, eventId, traceId }: { projectId: number; eventId: string; traceId: string }) {
  const logs = useAsync(() => api<LogRecord[]>(`/api/0/projects/${projectId}/logs/?around=${encodeURIComponent(eventId)}&limit=200`), [projectId, eventId]);
  // Asked through the project's trace search, which answers an empty list when the trace has no
  // transaction: fetching /traces/{id}/ would log a 404 in the console for every such event.
  const trace = useAsync(async () => {
    const filter = `trace_id = '${traceId.replace(/[^0-9a-fA-F-]/g, '')}'`;
    const found = await api<Array<{ spanCount: number }>>(`/api/0/projects/${projectId}/traces/?${new URLSearchParams({ filter, max_results: '1' })}`);
    return found[0] ?? null;
  }, [projectId, traceId]);
  return (
    <section class="event-section event-trace" id="trace-logs" aria-labelledby="trace-logs-h">
      <h2 id="trace-logs-h">Trace and logs (±5 minutes)</h2>
      {trace.data && (
        <p>
          <Link href={`/traces/${traceId}/`}>Open the trace</Link> <span class="muted small-text">{trace.data.spanCount} spans</span>
        </p>
      )}
      {logs.error ? (
        <p class="muted">Logs could not be loaded: {logs.error.message}</p>
      ) : !logs.data ? (
        <p class="muted">Loading logs…</p>
      ) : logs.data.length === 0 ? (
        <p class="muted">No logs with this trace id within 5 minutes of the event.</p>
      ) : (
        <LogTable logs={logs.data} />
      )}
    </section>
  );
}
