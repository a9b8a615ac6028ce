/**
 * Everything of one user, account, session, tab or trace (seed 001: "correlate multiple errors from
 * the same user session", "unique users and accounts affected"): the issues they hit, each with how
 * many of its events are theirs, and their events newest first. Reached from an event (click the
 * user, the account, or "other errors in this session / window").
 */
import '../components/triage.css';
import { apiPage, qs } from '../api.js';
import { EventList } from '../components/event-list.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago, count, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { filterToken } from '../query.js';
import { Link } from '../router.js';
import type { Issue } from '../types.js';

export const RELATED_KEYS: Record<string, string> = {
  'user.id': 'User',
  'user.email': 'User',
  'user.username': 'User',
  'account.id': 'Account',
  'account.name': 'Account',
  session_id: 'Session',
  window_id: 'Window',
  trace_id: 'Trace',
};

export const relatedHref = (projectId: number | string, key: string, value: string) =>
  `/projects/${projectId}/by/${encodeURIComponent(key)}/${encodeURIComponent(value)}/`;

export function RelatedPage({ projectId, keyName, value }: { projectId: string; keyName: string; value: string }) {
  const kind = RELATED_KEYS[keyName];
  const query = filterToken(keyName, value);
  const issues = useAsync(() => apiPage<Issue>(`/api/0/projects/${encodeURIComponent(projectId)}/issues/${qs({ query, limit: 100, sort: 'date' })}`), [projectId, query]);
  if (!kind) return <ErrorBox error={new Error(`"${keyName}" is not a user, account, session, window or trace key`)} />;
  const items = issues.data?.items ?? [];
  const events = items.reduce((sum, i) => sum + (i.filtered?.count ?? 0), 0);
  return (
    <div class="page related-page" data-testid="related-page">
      <div class="crumbs small-text">
        <Link href={`/projects/${projectId}/issues/`}>← Issues</Link>
      </div>
      <h1>
        {kind} <span class="mono">{value}</span>
      </h1>
      <p class="muted small-text">
        {keyName} · <Link href={`/projects/${projectId}/issues/${qs({ query, status: 'all' })}`}>search the issue list</Link>
      </p>
      <div class="stats-row">
        <div class="stat" data-testid="related-issues">
          <div class="stat-label">Issues</div>
          <div class="stat-value">{issues.data ? `${count(items.length)}${issues.data.nextCursor ? '+' : ''}` : '…'}</div>
        </div>
        <div class="stat" data-testid="related-events">
          <div class="stat-label">Events</div>
          <div class="stat-value">{issues.data ? count(events) : '…'}</div>
        </div>
      </div>
      <section class="card">
        <h2>Issues</h2>
        {issues.error ? (
          <ErrorBox error={issues.error} />
        ) : !issues.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <p class="muted">No issues.</p>
        ) : (
          <table class="issues">
            <thead>
              <tr>
                <th>Issue</th>
                <th class="num">Their events</th>
                <th class="num narrow-hide">All events</th>
                <th class="when narrow-hide">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((issue) => (
                <tr data-issue-id={issue.id}>
                  <td class="issue-cell">
                    <span class={`level level-${issue.level}`} title={issue.level} />
                    <Link href={`/issues/${issue.id}/`} class="issue-title">
                      {issue.title}
                    </Link>
                    {issue.status !== 'unresolved' && <span class={`badge ${issue.status}`}>{issue.status}</span>}
                  </td>
                  <td class="num">{count(issue.filtered?.count)}</td>
                  <td class="num narrow-hide">{count(issue.count)}</td>
                  <td class="when narrow-hide" title={dateTime(issue.lastSeen)}>
                    {ago(issue.lastSeen)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Events</h2>
        <EventList projectId={projectId} query={query} />
      </section>
    </div>
  );
}
