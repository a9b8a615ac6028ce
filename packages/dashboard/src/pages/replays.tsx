/** Replays of a project, newest first, searchable by user, session id, URL and tags. */
import { useState } from 'preact/hooks';
import { apiPage, qs } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago, asText } from '../format.js';
import { useAsync } from '../hooks.js';
import { durationText, userLabel, type Replay } from '../replay-types.js';
import { Link, navigate, type Loc } from '../router.js';

export function ReplaysPage({ projectId, loc }: { projectId: string; loc: Loc }) {
  const query = loc.params.get('query') ?? '';
  const cursor = loc.params.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(query);
  const page = useAsync(() => apiPage<Replay>(`/api/0/projects/${projectId}/replays/${qs({ query, cursor, limit: 50 })}`), [projectId, query, cursor]);
  const base = `/projects/${projectId}/replays/`;
  return (
    <div class="replays">
      <h1>Replays</h1>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(base + qs({ query: draft.trim() }));
        }}
      >
        <input
          name="query"
          class="search-input"
          aria-label="Search replays"
          placeholder="user.email:ana@example.com  session_id:…  url:/checkout  plan:gold  or free text"
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
      </form>
      {page.error ? (
        <ErrorBox error={page.error} />
      ) : !page.data ? (
        <Loading />
      ) : page.data.items.length === 0 ? (
        <p class="muted">No replays{query ? ' match this search' : ' yet: add replayIntegration() to a browser SDK (see docs/replay.md)'}.</p>
      ) : (
        <table class="list-table" data-testid="replay-list">
          <thead>
            <tr>
              <th>Replay</th>
              <th>User</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Errors</th>
              <th>First URL</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((r) => (
              <tr>
                <td>
                  <Link href={`/replays/${r.id}/`} class="mono">
                    {r.id.slice(0, 12)}
                  </Link>
                </td>
                <td>{asText(userLabel(r.user))}</td>
                <td title={r.startedAt}>{ago(r.startedAt)}</td>
                <td>{durationText(r.duration)}</td>
                <td>{r.errorIds.length}</td>
                <td class="mono ellipsis">{asText(r.urls[0] ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.data?.nextCursor && <Link href={base + qs({ query, cursor: page.data.nextCursor })}>Older replays</Link>}
    </div>
  );
}
