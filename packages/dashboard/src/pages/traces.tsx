/**
 * The Traces page: a filter box in seed 004's grammar (`tags.environment = 'production' AND
 * execution_time_ms > 5000`), an order, and the matching traces with their tags. The URL holds the
 * state, so a search can be shared and the back button works.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiPage, qs } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { Link, navigate, type Loc } from '../router.js';
import { duration, type TraceSummary } from './trace-types.js';
import './traces.css';

const ORDERS = [
  { id: 'timestamp_ms DESC', label: 'Newest first' },
  { id: 'timestamp_ms ASC', label: 'Oldest first' },
  { id: 'execution_time_ms DESC', label: 'Slowest first' },
  { id: 'execution_time_ms ASC', label: 'Fastest first' },
];
const EXAMPLES = ["status = 'ERROR'", 'execution_time_ms > 5000', "tags.environment = 'production' AND status = 'ERROR'", "span.type = 'db.query'"];

export function tracesUrl(projectId: string | number, state: { filter?: string; order?: string; cursor?: string }): string {
  return `/projects/${projectId}/traces/${qs({
    filter: state.filter || undefined,
    order: state.order && state.order !== ORDERS[0]!.id ? state.order : undefined,
    cursor: state.cursor || undefined,
  })}`;
}

export function TracesPage({ projectId, loc }: { projectId: string; loc: Loc }) {
  const filter = loc.params.get('filter') ?? '';
  const order = loc.params.get('order') ?? ORDERS[0]!.id;
  const cursor = loc.params.get('cursor') ?? '';
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);

  const traces = useAsync(
    () =>
      apiPage<TraceSummary>(
        `/api/0/projects/${encodeURIComponent(projectId)}/traces/${qs({ filter, order_by: order, max_results: 50, page_token: cursor })}`,
      ),
    [projectId, loc.href],
  );
  const items = traces.data?.items ?? [];
  const go = (patch: { filter?: string; order?: string; cursor?: string }) => navigate(tracesUrl(projectId, { filter, order, cursor: '', ...patch }));

  return (
    <div class="page traces-page">
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          go({ filter: draft.trim() });
        }}
      >
        <input
          class="search-input trace-filter"
          aria-label="Trace filter"
          placeholder="tags.environment = 'production' AND execution_time_ms > 5000"
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
        <select aria-label="Order" value={order} onChange={(e) => go({ order: (e.target as HTMLSelectElement).value })}>
          {ORDERS.map((o) => (
            <option value={o.id}>{o.label}</option>
          ))}
        </select>
      </form>
      <p class="muted small-text examples">
        Try:{' '}
        {EXAMPLES.map((example) => (
          <button type="button" class="link-button example" onClick={() => go({ filter: example })}>
            {example}
          </button>
        ))}
      </p>

      {traces.error ? (
        <ErrorBox error={traces.error} />
      ) : !traces.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <div class="empty" data-testid="no-traces">
          <p>No traces match.</p>
          <p class="muted">Traces arrive from transactions, span streaming and OTLP (see docs/traces.md).</p>
        </div>
      ) : (
        <table class={traces.loading ? 'issues traces stale' : 'issues traces'}>
          <thead>
            <tr>
              <th>Trace</th>
              <th>Status</th>
              <th class="num">Duration</th>
              <th class="num">Spans</th>
              <th>Tags</th>
              <th class="when">Started</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr data-trace-id={t.traceId}>
                <td>
                  <Link href={`/traces/${t.traceId}/`} class="issue-title">
                    {t.name ?? '(root span not received)'}
                  </Link>
                  <div class="culprit">{t.traceId}</div>
                </td>
                <td>
                  <span class={`badge trace-status status-${t.status.toLowerCase()}`}>{t.status}</span>
                </td>
                <td class="num">{duration(t.executionTimeMs)}</td>
                <td class="num">{t.spanCount}</td>
                <td class="tag-chips">
                  {Object.entries(t.tags).map(([key, value]) => (
                    <button
                      type="button"
                      class="badge chip"
                      title={`Filter by ${key} = ${value}`}
                      onClick={() => go({ filter: [filter, `tags.\`${key}\` = '${value.replace(/'/g, "''")}'`].filter(Boolean).join(' AND ') })}
                    >
                      {key}: {value}
                    </button>
                  ))}
                </td>
                <td class="when" title={dateTime(t.timestamp)}>
                  {ago(t.timestamp)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div class="pager">
        <button type="button" disabled={!cursor} onClick={() => go({ cursor: '' })}>
          ← First page
        </button>
        <button type="button" disabled={!traces.data?.nextCursor} onClick={() => go({ cursor: traces.data!.nextCursor! })}>
          Next →
        </button>
      </div>
    </div>
  );
}
