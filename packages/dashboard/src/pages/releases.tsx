/**
 * Releases of a project, newest first, and one release: its events, users, new issues (a link to
 * the issues first seen in it) and deploys. Every value is rendered as text.
 */
import { api, qs } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago, count, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import type { Issue, Release } from '../types.js';

const releaseHref = (projectId: string | number, version: string) => `/projects/${projectId}/releases/${encodeURIComponent(version)}/`;

export function ReleasesPage({ projectId }: { projectId: string }) {
  const releases = useAsync(() => api<Release[]>(`/api/0/projects/${encodeURIComponent(projectId)}/releases/${qs({ limit: 100 })}`), [projectId]);
  if (releases.error) return <ErrorBox error={releases.error} />;
  if (!releases.data) return <Loading />;
  return (
    <div class="page releases-page">
      <h1>Releases</h1>
      {releases.data.length === 0 ? (
        <p class="muted">No releases yet. Events that name a release create it; so do sentry-cli and the API (docs/releases.md).</p>
      ) : (
        <table class="table" data-testid="releases">
          <thead>
            <tr>
              <th>Version</th>
              <th>Created</th>
              <th>Released</th>
              <th>Events</th>
              <th>New issues</th>
              <th>Users</th>
              <th>Last deploy</th>
            </tr>
          </thead>
          <tbody>
            {releases.data.map((r) => (
              <tr>
                <td class="mono">
                  <Link href={releaseHref(projectId, r.version)}>{r.version}</Link>
                </td>
                <td title={dateTime(r.dateCreated)}>{ago(r.dateCreated)}</td>
                <td title={r.dateReleased ? dateTime(r.dateReleased) : undefined}>{r.dateReleased ? ago(r.dateReleased) : 'unreleased'}</td>
                <td>{count(r.eventCount)}</td>
                <td>{count(r.newGroups)}</td>
                <td>{count(r.userCount)}</td>
                <td>{r.deploys[0] ? `${r.deploys[0].environment} ${ago(r.deploys[0].dateFinished)}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ReleasePage({ projectId, version }: { projectId: string; version: string }) {
  const base = `/api/0/projects/${encodeURIComponent(projectId)}/releases/${encodeURIComponent(version)}/`;
  const release = useAsync(() => api<Release>(base), [base]);
  const issues = useAsync(() => api<Issue[]>(`${base}issues/`), [base]);
  if (release.error) return <ErrorBox error={release.error} />;
  if (!release.data) return <Loading />;
  const r = release.data;
  return (
    <div class="page release-page">
      <div class="crumbs small-text">
        <Link href={`/projects/${projectId}/releases/`}>← Releases</Link>
      </div>
      <h1 class="mono">{r.version}</h1>
      <div class="stats-row">
        <Stat label="Events" value={count(r.eventCount)} />
        <Stat label="Users" value={count(r.userCount)} />
        <Stat label="New issues" value={count(r.newGroups)} />
        <Stat label="Created" value={ago(r.dateCreated)} title={dateTime(r.dateCreated)} />
        <Stat label="Released" value={r.dateReleased ? ago(r.dateReleased) : 'unreleased'} />
        <Stat label="First event" value={r.firstEvent ? ago(r.firstEvent) : '—'} />
        <Stat label="Last event" value={r.lastEvent ? ago(r.lastEvent) : '—'} />
      </div>
      {(r.commitSha || r.repositoryUrl) && (
        <p class="small-text">
          Commit <span class="mono">{r.commitSha ?? '—'}</span>
          {r.repositoryUrl && (
            <>
              {' '}in{' '}
              <a href={r.repositoryUrl} rel="noopener noreferrer" target="_blank">
                {r.repositoryUrl}
              </a>
            </>
          )}
        </p>
      )}
      <section class="card">
        <div class="card-head">
          <h2>Issues first seen in this release</h2>
          <Link href={`/projects/${projectId}/issues/?query=${encodeURIComponent(`release:"${r.version}"`)}`}>All issues with events in it →</Link>
        </div>
        {issues.error ? (
          <ErrorBox error={issues.error} />
        ) : !issues.data ? (
          <Loading />
        ) : issues.data.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="plain-list" data-testid="release-new-issues">
            {issues.data.map((i) => (
              <li>
                <Link href={`/issues/${i.id}/`}>{i.title}</Link> <span class="muted small-text">{count(i.count)} events</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card">
        <h2>Deploys</h2>
        {r.deploys.length === 0 ? (
          <p class="muted">No deploys recorded (sentry-cli releases deploys VERSION new -e ENV).</p>
        ) : (
          <table class="table">
            <tbody>
              {r.deploys.map((d) => (
                <tr>
                  <td>{d.environment}</td>
                  <td>{d.name ?? 'unnamed'}</td>
                  <td title={dateTime(d.dateFinished)}>{ago(d.dateFinished)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div class="stat" title={title}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
    </div>
  );
}
