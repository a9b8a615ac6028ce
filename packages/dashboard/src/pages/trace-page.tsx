/**
 * One trace: its tags (add with "+", edit with the pencil, delete with the trash can, seed 004),
 * metadata, a span waterfall with each span's data, the errors of the trace and its logs.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { JsonTree } from '../components/json-tree.js';
import { LogTable } from '../components/log-table.js';
import { ErrorBox, Loading } from '../components/status.js';
import { dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import { duration, type SpanNode, type TraceDetail } from './trace-types.js';
import './traces.css';

/** Icons as SVG paths: no icon font, and nothing for the strict CSP to block. */
function Icon({ name }: { name: 'pencil' | 'trash' }) {
  const d =
    name === 'pencil'
      ? 'M3 13.5V16h2.5l7.4-7.4-2.5-2.5L3 13.5zm11.7-6.8a.7.7 0 0 0 0-1l-1.4-1.4a.7.7 0 0 0-1 0l-1.2 1.2 2.5 2.5 1.1-1.3z'
      : 'M6 4V3h5v1h3v1.5H3V4h3zm-1.5 2.5h8l-.6 9H5.1l-.6-9zm2 1.5v6h1V8h-1zm3 0v6h1V8h-1z';
  return (
    <svg class="icon" width="16" height="16" viewBox="0 0 17 17" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

const tagPath = (traceId: string, key: string) => `/api/0/traces/${encodeURIComponent(traceId)}/tags/${encodeURIComponent(key)}`;

function TagEditor({ trace, onChange }: { trace: TraceDetail; onChange: () => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setEditing(null);
      setAdding(false);
      onChange();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  const save = (k: string) => run(() => api(tagPath(trace.traceId, k), { method: 'PUT', body: { value } }));
  const remove = (k: string) => run(() => api(tagPath(trace.traceId, k), { method: 'DELETE' }));
  const entries = Object.entries(trace.tags);

  return (
    <section class="card" aria-label="Tags">
      <div class="card-head">
        <h2>Tags</h2>
        <button
          type="button"
          aria-label="Add tag"
          title="Add tag"
          disabled={busy}
          onClick={() => {
            setAdding(true);
            setEditing(null);
            setKey('');
            setValue('');
          }}
        >
          +
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {entries.length === 0 && !adding && <p class="muted">No tags yet.</p>}
      <table class="trace-tags">
        <tbody>
          {entries.map(([k, v]) => (
            <tr data-tag={k}>
              <th>{k}</th>
              {editing === k ? (
                <td>
                  <form
                    class="tag-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void save(k);
                    }}
                  >
                    <input aria-label={`Value of ${k}`} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
                    <button type="submit" disabled={busy}>
                      Save
                    </button>
                    <button type="button" class="link-button" onClick={() => setEditing(null)}>
                      Cancel
                    </button>
                  </form>
                </td>
              ) : (
                <td class="tag-value">{v}</td>
              )}
              <td class="tag-actions">
                <button
                  type="button"
                  class="icon-button"
                  aria-label={`Edit tag ${k}`}
                  title="Edit"
                  disabled={busy}
                  onClick={() => {
                    setEditing(k);
                    setAdding(false);
                    setValue(v);
                  }}
                >
                  <Icon name="pencil" />
                </button>
                <button type="button" class="icon-button" aria-label={`Delete tag ${k}`} title="Delete" disabled={busy} onClick={() => void remove(k)}>
                  <Icon name="trash" />
                </button>
              </td>
            </tr>
          ))}
          {adding && (
            <tr>
              <td colSpan={3}>
                <form
                  class="tag-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void save(key.trim());
                  }}
                >
                  <input aria-label="New tag key" placeholder="key" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
                  <input aria-label="New tag value" placeholder="value" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
                  <button type="submit" disabled={busy || !key.trim()}>
                    Add
                  </button>
                  <button type="button" class="link-button" onClick={() => setAdding(false)}>
                    Cancel
                  </button>
                </form>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function flatten(spans: SpanNode[]): SpanNode[] {
  return spans.flatMap((s) => [s, ...flatten(s.children)]);
}

const ROW = 22;
const LABEL = 300;
const BAR = 600;

function Waterfall({ trace, selected, onSelect }: { trace: TraceDetail; selected: string | null; onSelect: (id: string) => void }) {
  const spans = flatten(trace.spans);
  const total = Math.max(1, trace.endMs - trace.startMs);
  return (
    <svg class="waterfall" viewBox={`0 0 ${LABEL + BAR + 80} ${spans.length * ROW + 4}`} role="list" aria-label="Spans">
      {spans.map((s, i) => {
        const x = LABEL + (s.offsetMs / total) * BAR;
        const width = Math.max(1.5, (s.durationMs / total) * BAR);
        const y = i * ROW + 2;
        return (
          <g role="listitem" class={`span-row${selected === s.spanId ? ' selected' : ''}`} data-span-id={s.spanId} onClick={() => onSelect(s.spanId)}>
            <rect class="row-bg" x={0} y={y} width={LABEL + BAR + 80} height={ROW} />
            <text x={6 + s.depth * 14} y={y + 15} class="span-label">
              {(s.op ? `${s.op} · ` : '') + (s.name.length > 38 - s.depth * 2 ? `${s.name.slice(0, 36 - s.depth * 2)}…` : s.name)}
            </text>
            <rect x={x} y={y + 5} width={width} height={ROW - 10} rx={2} class={`span-bar span-${s.status}`} />
            <text x={Math.min(x + width + 4, LABEL + BAR + 4)} y={y + 15} class="span-duration">
              {duration(s.durationMs)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function TracePage({ traceId }: { traceId: string }) {
  const trace = useAsync(() => api<TraceDetail>(`/api/0/traces/${encodeURIComponent(traceId)}/`), [traceId]);
  const [selected, setSelected] = useState<string | null>(null);
  if (trace.error) return <ErrorBox error={trace.error} />;
  if (!trace.data) return <Loading />;
  const t = trace.data;
  const spans = flatten(t.spans);
  const span = spans.find((s) => s.spanId === selected) ?? spans[0];

  return (
    <div class="page trace-page">
      <div class="issue-head">
        <div>
          <p class="muted small-text">
            <Link href={`/projects/${t.projectId}/traces/`}>Traces</Link> / {t.traceId}
          </p>
          <h1>{t.name ?? '(root span not received)'}</h1>
          <div class="badges">
            <span class={`badge trace-status status-${t.status.toLowerCase()}`}>{t.status}</span>
            <span class="badge">{duration(t.executionTimeMs)}</span>
            <span class="badge">{t.spanCount} spans</span>
            <span class="badge">{dateTime(t.timestamp)}</span>
          </div>
        </div>
      </div>

      <div class="trace-grid">
        <div>
          <section class="card" aria-label="Waterfall">
            <h2>Spans</h2>
            <Waterfall trace={t} selected={span?.spanId ?? null} onSelect={setSelected} />
          </section>
          {span && (
            <section class="card" aria-label="Span details">
              <h2>
                {span.name} <span class="muted small-text">{span.op}</span>
              </h2>
              <dl class="facts">
                <dt>Status</dt>
                <dd>{span.status}</dd>
                <dt>Duration</dt>
                <dd>{duration(span.durationMs)}</dd>
                <dt>Starts at</dt>
                <dd>+{duration(span.offsetMs)}</dd>
                <dt>Span id</dt>
                <dd class="wrap">{span.spanId}</dd>
              </dl>
              <h3>Data</h3>
              {Object.keys(span.data).length ? <JsonTree value={span.data} /> : <p class="muted">No span data.</p>}
            </section>
          )}
          <section class="card" aria-label="Errors">
            <h2>Errors in this trace</h2>
            {t.errors.length === 0 ? (
              <p class="muted">No error events carry this trace id.</p>
            ) : (
              <ul class="plain-list">
                {t.errors.map((e) => (
                  <li>
                    <span class={`level level-${e.level}`} />
                    <Link href={`/issues/${e.issueId}/events/${e.eventId}/`}>{e.title}</Link> <span class="muted small-text">{dateTime(e.timestamp)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card" aria-label="Logs">
            <h2>Logs</h2>
            {t.logs.length === 0 ? (
              <p class="muted">No logs with this trace id.</p>
            ) : (
              <LogTable logs={t.logs} />
            )}
          </section>
        </div>
        <div>
          <TagEditor trace={t} onChange={trace.reload} />
          <section class="card" aria-label="Metadata">
            <h2>Metadata</h2>
            {Object.keys(t.metadata).length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <dl class="facts">
                {Object.entries(t.metadata).map(([k, v]) => [<dt>{k}</dt>, <dd class="wrap">{v}</dd>])}
              </dl>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
