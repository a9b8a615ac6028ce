/**
 * Saved searches pinned as tabs above the issue list (docs/triage.md). A tab is a link to the list
 * with the search in the URL (query and sort), so it can be bookmarked and shared like any search;
 * the tab whose search is the one in the URL is shown active. "Save search" keeps the current one,
 * private or shared with the project.
 */
import './triage.css';
import { useState } from 'preact/hooks';
import type { SavedSearch } from '@proliferate/api';
import { api } from '../api.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import { useCan } from '../session.js';
import { ErrorBox } from './status.js';

export interface SearchState {
  query: string;
  sort: string;
}

/** A saved query that names a status itself (is:...) opens on the "All" tab, so the two do not conflict. */
export const savedSearchStatus = (query: string) => (/(^|\s)!?is:/.test(query) ? 'all' : 'unresolved');

export function SavedSearchTabs({ projectId, current, href }: { projectId: string; current: SearchState; href: (s: SearchState & { status: string }) => string }) {
  const searches = useAsync(() => api<SavedSearch[]>(`/api/0/projects/${encodeURIComponent(projectId)}/searches/`), [projectId]);
  const canSave = useCan('member');
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const pinned = (searches.data ?? []).filter((s) => s.pinned);
  const active = pinned.find((s) => s.query === current.query.trim() && (s.sort ?? 'date') === current.sort);

  async function act(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      searches.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  if (pinned.length === 0 && !current.query.trim()) return null;
  return (
    <div class="saved-searches" data-testid="saved-searches">
      <div class="tabs" role="tablist" aria-label="Saved searches">
        {pinned.map((s) => (
          <span class={s === active ? 'tab active saved-tab' : 'tab saved-tab'}>
            <Link href={href({ query: s.query, sort: s.sort ?? 'date', status: savedSearchStatus(s.query) })} role="tab" aria-selected={s === active} title={s.query}>
              {s.name}
              {s.visibility === 'shared' && <span class="muted small-text"> · shared</span>}
            </Link>
            {s.mine && (
              <button
                type="button"
                class="link-button"
                aria-label={`Delete saved search ${s.name}`}
                onClick={() => act(() => api(`/api/0/projects/${encodeURIComponent(projectId)}/searches/${s.id}/`, { method: 'DELETE' }))}
              >
                ×
              </button>
            )}
          </span>
        ))}
        {canSave && current.query.trim() && !active && !saving && (
          <button type="button" class="link-button" onClick={() => (setSaving(true), setName(current.query.trim().slice(0, 80)))}>
            Save search
          </button>
        )}
      </div>
      {saving && (
        <form
          class="save-search"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api(`/api/0/projects/${encodeURIComponent(projectId)}/searches/`, {
                method: 'POST',
                body: { name: name.trim() || current.query.trim(), query: current.query.trim(), sort: current.sort, visibility: shared ? 'shared' : 'private' },
              });
              setSaving(false);
            });
          }}
        >
          <input aria-label="Name of the search" maxLength={80} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label class="check">
            <input type="checkbox" checked={shared} onChange={() => setShared(!shared)} /> Shared with the project
          </label>
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={() => setSaving(false)}>
            Cancel
          </button>
        </form>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}
