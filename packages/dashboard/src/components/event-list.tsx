/**
 * A page of events matching a search, newest first, each with its issue's title: the events of one
 * issue (issueId), or of the project (the user, account and session pages). Paged by the server's
 * cursor; the search is the issues' query language (docs/search.md).
 */
import './triage.css';
import { useState } from 'preact/hooks';
import { api, apiPage, qs } from '../api.js';
import { ago, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import type { EventSummary, Issue } from '../types.js';
import { ErrorBox, Loading } from './status.js';

const titles = new Map<number, Promise<string>>();
function issueTitle(id: number): Promise<string> {
  let title = titles.get(id);
  if (!title) {
    title = api<Issue>(`/api/0/issues/${id}/`).then((i) => i.title, () => `Issue ${id}`);
    titles.set(id, title);
  }
  return title;
}

export function EventList({ projectId, issueId, query, searchable, pageSize = 20 }: { projectId: number | string; issueId?: number; query: string; searchable?: boolean; pageSize?: number }) {
  const [search, setSearch] = useState('');
  const [typed, setTyped] = useState('');
  const [cursors, setCursors] = useState<string[]>(['']);
  const full = [query, search].filter(Boolean).join(' ');
  const cursor = cursors.at(-1)!;
  const base = issueId ? `/api/0/issues/${issueId}/events/` : `/api/0/projects/${projectId}/events/`;
  const page = useAsync(async () => {
    const result = await apiPage<EventSummary>(`${base}${qs({ query: full, limit: pageSize, cursor })}`);
    const names = await Promise.all(result.items.map((e) => (issueId ? Promise.resolve('') : issueTitle(e.issueId))));
    return { ...result, names };
  }, [base, full, cursor]);

  return (
    <div class="event-list" data-testid="event-list">
      {searchable && (
        <form
          class="event-search"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(typed.trim());
            setCursors(['']);
          }}
        >
          <input
            type="text"
            aria-label="Search these events"
            placeholder="Search these events, e.g. tier:enterprise"
            value={typed}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
          <button type="submit">Search</button>
        </form>
      )}
      {page.error ? (
        <ErrorBox error={page.error} />
      ) : !page.data ? (
        <Loading />
      ) : page.data.items.length === 0 ? (
        <p class="muted">No events match.</p>
      ) : (
        <table class="events-table">
          <tbody>
            {page.data.items.map((e, i) => (
              <tr data-event-id={e.eventId}>
                <td class="when" title={dateTime(e.timestamp)}>
                  {ago(e.timestamp)}
                </td>
                <td>
                  <Link href={`/issues/${e.issueId}/events/${e.eventId}/`} class="mono">
                    {issueId ? e.eventId.slice(0, 12) : page.data!.names[i]}
                  </Link>
                </td>
                {!issueId && <td class="mono muted narrow-hide">{e.eventId.slice(0, 8)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Older →
        </button>
      </div>
    </div>
  );
}
