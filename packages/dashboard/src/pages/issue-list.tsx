import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiPage, qs } from '../api.js';
import { AddFilter } from '../components/add-filter.js';
import { SavedSearchTabs } from '../components/saved-search-tabs.js';
import { SearchBar } from '../components/search-bar.js';
import { Sparkline } from '../components/sparkline.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago, count, dateTime } from '../format.js';
import { useAsync, useKeys } from '../hooks.js';
import { useCan } from '../session.js';
import { mergeIssues, setStatus } from '../issue-actions.js';
import { appendToken } from '../query.js';
import { Link, navigate, type Loc } from '../router.js';
import { projectTagValues } from '../tags.js';
import type { Issue, IssueStatus } from '../types.js';

const TABS: { id: string; label: string }[] = [
  { id: 'unresolved', label: 'Unresolved' },
  { id: 'resolved', label: 'Resolved' },
  { id: 'ignored', label: 'Ignored' },
  { id: 'all', label: 'All' },
];

const SORTS: { id: string; label: string }[] = [
  { id: 'date', label: 'Last seen' },
  { id: 'new', label: 'First seen' },
  { id: 'freq', label: 'Events' },
  { id: 'users', label: 'Users' },
];

export interface ListState {
  query: string;
  status: string;
  environment: string;
  sort: string;
  cursor: string;
}

export function readState(params: URLSearchParams): ListState {
  return {
    query: params.get('query') ?? '',
    status: params.get('status') ?? 'unresolved',
    environment: params.get('environment') ?? '',
    sort: params.get('sort') ?? 'date',
    cursor: params.get('cursor') ?? '',
  };
}

export function listUrl(projectId: string | number, state: Partial<ListState>): string {
  const s = { query: '', status: 'unresolved', environment: '', sort: 'date', cursor: '', ...state };
  return `/projects/${projectId}/issues/${qs({
    query: s.query || undefined,
    status: s.status === 'unresolved' ? undefined : s.status,
    environment: s.environment || undefined,
    sort: s.sort === 'date' ? undefined : s.sort,
    cursor: s.cursor || undefined,
  })}`;
}

const trail = new Map<string, string[]>();

export function IssueList({ projectId, loc }: { projectId: string; loc: Loc }) {
  const state = readState(loc.params);
  const baseKey = listUrl(projectId, { ...state, cursor: '' });
  const go = (patch: Partial<ListState>) => navigate(listUrl(projectId, { ...state, cursor: '', ...patch }));

  const apiQuery = [state.status === 'all' ? '' : `is:${state.status}`, state.query].filter(Boolean).join(' ');
  const issues = useAsync(
    () =>
      apiPage<Issue>(
        `/api/0/projects/${encodeURIComponent(projectId)}/issues/${qs({
          query: apiQuery,
          environment: state.environment,
          sort: state.sort,
          cursor: state.cursor,
          limit: 25,
          statsPeriod: '24h',
        })}`,
      ),
    [projectId, loc.href],
  );
  const environments = useAsync(() => projectTagValues(projectId, 'environment', '', 50).catch(() => null), [projectId]);
  const envOptions = new Set<string>((environments.data ?? []).map((v) => v.value));
  if (environments.data === null) for (const i of issues.data?.items ?? []) i.environments.forEach((e) => envOptions.add(e));
  if (state.environment) envOptions.add(state.environment);

  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [focus, setFocus] = useState(-1);
  const [busy, setBusy] = useState(false);
  // Viewers only read: the triage buttons and keys are not offered (the server refuses them too).
  const canTriage = useCan('member');
  const [actionError, setActionError] = useState<Error | null>(null);
  const rows = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    setSelected(new Set());
    setFocus(-1);
  }, [loc.href]);

  const items = issues.data?.items ?? [];
  const allSelected = items.length > 0 && items.every((i) => selected.has(i.id));

  async function bulk(status: IssueStatus) {
    const ids = selected.size ? [...selected] : focus >= 0 && items[focus] ? [items[focus]!.id] : [];
    if (!ids.length) return;
    setBusy(true);
    setActionError(null);
    try {
      await setStatus(projectId, ids, status);
      setSelected(new Set());
      issues.reload();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  async function merge() {
    if (selected.size < 2) return;
    setBusy(true);
    setActionError(null);
    try {
      await mergeIssues(projectId, [...selected]);
      setSelected(new Set());
      issues.reload();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  function toggle(id: number) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  useKeys({
    j: () => setFocus((f) => Math.min(items.length - 1, f + 1)),
    k: () => setFocus((f) => Math.max(0, f - 1)),
    x: () => items[focus] && toggle(items[focus]!.id),
    o: () => items[focus] && navigate(`/issues/${items[focus]!.id}/`),
    Enter: () => items[focus] && navigate(`/issues/${items[focus]!.id}/`),
    r: () => canTriage && void bulk('resolved'),
    i: () => canTriage && void bulk('ignored'),
  });
  useEffect(() => {
    rows.current?.querySelector<HTMLElement>(`tr[data-index="${focus}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [focus]);

  // Cursors of the pages visited under this search, first page first; a direct link to a later
  // page has no trail, and "Previous" then goes to the first page.
  const visited = trail.get(baseKey) ?? [''];
  const index = visited.indexOf(state.cursor);
  function nextPage() {
    const next = issues.data?.nextCursor;
    if (!next) return;
    trail.set(baseKey, [...(index >= 0 ? visited.slice(0, index + 1) : ['', state.cursor]), next]);
    navigate(listUrl(projectId, { ...state, cursor: next }));
  }
  function prevPage() {
    navigate(listUrl(projectId, { ...state, cursor: index > 0 ? visited[index - 1] : '' }));
  }

  return (
    <div class="page issue-list">
      <div class="toolbar">
        <SearchBar projectId={projectId} value={state.query} onSearch={(query) => go({ query })} />
        <AddFilter projectId={projectId} onAdd={(token) => go({ query: appendToken(state.query, token) })} />
        <select aria-label="Environment" value={state.environment} onChange={(e) => go({ environment: (e.target as HTMLSelectElement).value })}>
          <option value="">All environments</option>
          {[...envOptions].sort().map((env) => (
            <option value={env}>{env}</option>
          ))}
        </select>
        <select aria-label="Sort by" value={state.sort} onChange={(e) => go({ sort: (e.target as HTMLSelectElement).value })}>
          {SORTS.map((s) => (
            <option value={s.id}>Sort: {s.label}</option>
          ))}
        </select>
      </div>

      <SavedSearchTabs projectId={projectId} current={state} href={(saved) => listUrl(projectId, { ...state, ...saved, cursor: '' })} />

      <div class="tabs" role="tablist" aria-label="Status">
        {TABS.map((t) => (
          <Link href={listUrl(projectId, { ...state, cursor: '', status: t.id })} role="tab" aria-selected={state.status === t.id} class={state.status === t.id ? 'tab active' : 'tab'}>
            {t.label}
          </Link>
        ))}
        <Link href={listUrl(projectId, { ...state, cursor: '', query: appendToken(state.query, 'assigned:me') })} class="tab" data-testid="assigned-to-me">
          Assigned to me
        </Link>
      </div>

      <div class="bulk-bar">
        <label class="check">
          <input
            type="checkbox"
            aria-label="Select all on this page"
            checked={allSelected}
            onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((i) => i.id)))}
          />
        </label>
        <span class="muted">{selected.size ? `${selected.size} selected` : 'Select issues to'}</span>
        {canTriage && state.status !== 'resolved' && (
          <button type="button" disabled={busy || selected.size === 0} onClick={() => bulk('resolved')}>
            Resolve
          </button>
        )}
        {canTriage && state.status !== 'ignored' && (
          <button type="button" disabled={busy || selected.size === 0} onClick={() => bulk('ignored')}>
            Ignore
          </button>
        )}
        {canTriage && state.status !== 'unresolved' && (
          <button type="button" disabled={busy || selected.size === 0} onClick={() => bulk('unresolved')}>
            Unresolve
          </button>
        )}
        {canTriage && (
          <button type="button" disabled={busy || selected.size < 2} onClick={() => void merge()} title="Merge the selected issues into the one with the most events">
            Merge
          </button>
        )}
        <span class="spacer" />
        <span class="muted small-text keys-hint wide-only">j/k move · x select · o open · r resolve · i ignore · / search</span>
      </div>
      {actionError && <ErrorBox error={actionError} />}

      {issues.error instanceof ApiError && issues.error.code === 'invalid_query' ? (
        <QueryError error={issues.error} query={apiQuery} />
      ) : issues.error ? (
        <ErrorBox error={issues.error} />
      ) : !issues.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <div class="empty" data-testid="no-issues">
          <p>No issues match.</p>
          {state.query || state.environment ? (
            <p class="muted">Try removing a filter.</p>
          ) : (
            <p class="muted">
              Send an event: see <Link href={`/projects/${projectId}/setup/`}>Setup</Link> for the DSN and snippets.
            </p>
          )}
        </div>
      ) : (
        <table class={issues.loading ? 'issues stale' : 'issues'}>
          <thead>
            <tr>
              <th class="sel" />
              <th>Issue</th>
              <th class="spark-col wide-only">Last 24 h</th>
              <th class="num">Events</th>
              <th class="num narrow-hide">Users</th>
              <th class="num wide-only">Accounts</th>
              <th class="when wide-only">First seen</th>
              <th class="when narrow-hide">Last seen</th>
            </tr>
          </thead>
          <tbody ref={rows}>
            {items.map((issue, index) => (
              <tr data-index={index} data-issue-id={issue.id} class={index === focus ? 'focused' : ''} onClick={() => setFocus(index)}>
                <td class="sel">
                  <input type="checkbox" aria-label={`Select ${issue.title}`} checked={selected.has(issue.id)} onChange={() => toggle(issue.id)} />
                </td>
                <td class="issue-cell">
                  <span class={`level level-${issue.level}`} title={issue.level} />
                  <Link href={`/issues/${issue.id}/`} class="issue-title">
                    {issue.title}
                  </Link>
                  <div class="culprit">
                    {issue.culprit || '—'}
                    {issue.isRegressed && <span class="badge regressed">regressed</span>}
                    {state.status === 'all' && issue.status !== 'unresolved' && <span class={`badge ${issue.status}`}>{issue.status}</span>}
                    {issue.lastRelease && <span class="badge">{issue.lastRelease}</span>}
                    {issue.assignedTo && (
                      <span class="badge assignee" data-testid="row-assignee">
                        {issue.assignedTo.name || issue.assignedTo.email}
                      </span>
                    )}
                  </div>
                </td>
                <td class="spark-col wide-only">
                  <Sparkline values={issue.stats} />
                </td>
                <td class="num">
                  {issue.filtered ? (
                    <span title={`${issue.filtered.count} of ${issue.count} events match the search`} data-testid="filtered-count">
                      {count(issue.filtered.count)}
                      <span class="muted small-text"> / {count(issue.count)}</span>
                    </span>
                  ) : (
                    count(issue.count)
                  )}
                </td>
                <td class="num narrow-hide">{count(issue.userCount)}</td>
                <td class="num wide-only">{count(issue.accountCount)}</td>
                <td class="when wide-only" title={dateTime(issue.firstSeen)}>
                  {ago(issue.firstSeen)}
                </td>
                <td class="when narrow-hide" title={dateTime(issue.lastSeen)}>
                  {ago(issue.lastSeen)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div class="pager">
        <button type="button" disabled={!state.cursor} onClick={prevPage}>
          ← Previous
        </button>
        <button type="button" disabled={!issues.data?.nextCursor} onClick={nextPage}>
          Next →
        </button>
      </div>
    </div>
  );
}

/** A search the server could not parse: its message, and a caret under the spot when it says where. */
function QueryError({ error, query }: { error: ApiError; query: string }) {
  const position = typeof error.details.position === 'number' ? error.details.position : null;
  return (
    <div class="error-box" role="alert" data-testid="query-error">
      <div>Search error: {error.message}</div>
      {position !== null && position <= query.length && (
        <pre class="caret-line">
          {query}
          {'\n'}
          {' '.repeat(position)}^
        </pre>
      )}
    </div>
  );
}
