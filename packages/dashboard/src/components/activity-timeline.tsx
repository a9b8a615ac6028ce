import { api } from '../api.js';
import { ago, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import type { ActivityEntry, Issue } from '../types.js';
import { ErrorBox, Loading } from './status.js';

/** One line of text per activity entry; event data is shown as text, never as HTML. */
function describe(entry: ActivityEntry) {
  const data = entry.data as Record<string, any>;
  const ids = (list: unknown) => (Array.isArray(list) ? list.map((id) => `#${id}`).join(', ') : '');
  switch (entry.kind) {
    case 'status':
      if (data.reason === 'snooze_ended') return 'Came back by itself: its snooze ended';
      return data.inRelease ? `resolved it in release ${data.inRelease}` : data.inNextRelease ? 'resolved it in the next release' : `marked it ${data.status}`;
    case 'assigned':
      return `assigned it to ${data.assignee?.name || data.assignee?.email || 'someone'}`;
    case 'unassigned':
      return 'unassigned it';
    case 'merged':
      return `merged ${ids(data.issueIds)} into it`;
    case 'merged_into':
      return (
        <>
          merged it into <Link href={`/issues/${data.issueId}/`}>#{data.issueId}</Link>
        </>
      );
    case 'unmerged':
      return data.fromIssueId ? `unmerged it from #${data.fromIssueId}` : `unmerged ${ids(data.issueIds)}`;
    case 'regression':
      if (data.reason === 'release') return `Regressed: an event of release ${data.release ?? '?'}, later than the one it was resolved in`;
      return data.release ? `Regressed: a new event (release ${data.release}) after it was resolved` : 'Regressed: a new event after it was resolved';
    case 'first_seen':
      return data.release ? `First seen in release ${data.release}` : 'First seen';
    case 'resolved_in_release':
      return `resolved it in release ${data.version ?? ''}`;
  }
}

/**
 * The issue's history, newest first, ending with when it was first seen (and in which release):
 * the server records that line, and each regression, itself (actor empty).
 * `version` changes whenever the issue does, so a change made on this page shows at once.
 */
export function ActivityTimeline({ issue, version }: { issue: Issue; version: string }) {
  const activity = useAsync(() => api<ActivityEntry[]>(`/api/0/issues/${issue.id}/activity/`), [issue.id, version]);
  return (
    <section class="card" data-testid="activity">
      <h2>Activity</h2>
      {activity.error ? (
        <ErrorBox error={activity.error} />
      ) : !activity.data ? (
        <Loading />
      ) : (
        <ol class="activity small-text">
          {activity.data.map((entry) => (
            <li data-kind={entry.kind}>
              {entry.actor ? <strong>{entry.actor}</strong> : null} {describe(entry)}{' '}
              <span class="muted" title={dateTime(entry.at)}>{ago(entry.at)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
