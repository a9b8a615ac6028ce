import { useEffect, useState } from 'preact/hooks';
import { api, clearToken, getToken, setUnauthorizedHandler } from './api.js';
import { Shortcuts } from './components/shortcuts.js';
import { ErrorBox, Loading } from './components/status.js';
import { useAsync } from './hooks.js';
import { ApiReferencePage } from './pages/api-reference.js';
import { AlertsPage } from './pages/alerts.js';
import { ComparePage } from './pages/compare.js';
import { IssueList } from './pages/issue-list.js';
import { IssuePage } from './pages/issue-page.js';
import { ReleasePage, ReleasesPage } from './pages/releases.js';
import { ReplayPage } from './pages/replay-page.js';
import { ReplaysPage } from './pages/replays.js';
import { SetupPage } from './pages/setup.js';
import { SignIn } from './pages/sign-in.js';
import { TracePage } from './pages/trace-page.js';
import { TracesPage } from './pages/traces.js';
import { Link, match, navigate, useLocation } from './router.js';
import type { Project } from './types.js';

export function App() {
  const [token, setTokenState] = useState(getToken());
  useEffect(() => setUnauthorizedHandler(() => (clearToken(), setTokenState(null))), []);
  if (!token) return <SignIn onSignedIn={() => setTokenState(getToken())} />;
  return (
    <Shell
      onSignOut={() => {
        clearToken();
        setTokenState(null);
      }}
    />
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const loc = useLocation();
  const projects = useAsync(() => api<Project[]>('/api/0/projects/'), []);
  const list = projects.data ?? [];
  const projectMatch = match('/projects/:projectId/:page/', loc.path);
  const [lastProject, setLastProject] = useState<string | null>(null);
  const projectId = projectMatch?.projectId ?? lastProject ?? (list[0] ? String(list[0].id) : null);
  useEffect(() => {
    if (projectMatch?.projectId) setLastProject(projectMatch.projectId);
  }, [projectMatch?.projectId]);

  useEffect(() => {
    if (loc.path === '/' && list[0]) navigate(`/projects/${list[0].id}/issues/`, { replace: true });
  }, [loc.path, list.length]);

  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/" class="brand">
          Proliferate
        </Link>
        {list.length > 0 && (
          <select
            class="project-picker"
            aria-label="Project"
            value={projectId ?? ''}
            onChange={(e) => navigate(`/projects/${(e.target as HTMLSelectElement).value}/issues/`)}
          >
            {list.map((p) => (
              <option value={String(p.id)}>{p.name}</option>
            ))}
          </select>
        )}
        {projectId && (
          <nav class="topnav">
            <Link href={`/projects/${projectId}/issues/`} class={projectMatch?.page === 'issues' ? 'active' : ''}>
              Issues
            </Link>
            <Link href={`/projects/${projectId}/compare/`} class={projectMatch?.page === 'compare' ? 'active' : ''}>
              Compare
            </Link>
            <Link href={`/projects/${projectId}/traces/`} class={projectMatch?.page === 'traces' ? 'active' : ''}>
              Traces
            </Link>
            <Link href={`/projects/${projectId}/releases/`} class={projectMatch?.page === 'releases' ? 'active' : ''}>
              Releases
            </Link>
            <Link href={`/projects/${projectId}/replays/`} class={projectMatch?.page === 'replays' ? 'active' : ''}>
              Replays
            </Link>
            <Link href={`/projects/${projectId}/alerts/`} class={projectMatch?.page === 'alerts' ? 'active' : ''}>
              Alerts
            </Link>
            <Link href={`/projects/${projectId}/setup/`} class={projectMatch?.page === 'setup' ? 'active' : ''}>
              Setup
            </Link>
          </nav>
        )}
        <span class="spacer" />
        <Link href="/api-reference/" class={loc.path === '/api-reference/' ? 'active' : ''}>
          API
        </Link>
        <button class="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <Shortcuts />
      <main class="content">
        {projects.error ? (
          <ErrorBox error={projects.error} />
        ) : projects.loading && !projects.data ? (
          <Loading />
        ) : list.length === 0 ? (
          <div class="empty">
            <h1>No projects</h1>
            <p class="muted">This token sees no project. Create one with "npx proliferate project create NAME".</p>
          </div>
        ) : (
          <Routes loc={loc} />
        )}
      </main>
    </div>
  );
}

function Routes({ loc }: { loc: ReturnType<typeof useLocation> }) {
  let m;
  if ((m = match('/projects/:projectId/issues/', loc.path))) return <IssueList projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/compare/', loc.path))) return <ComparePage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/alerts/', loc.path))) return <AlertsPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/setup/', loc.path))) return <SetupPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/traces/', loc.path))) return <TracesPage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/releases/', loc.path))) return <ReleasesPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/releases/:version/', loc.path))) return <ReleasePage projectId={m.projectId!} version={m.version!} />;
  if ((m = match('/projects/:projectId/replays/', loc.path))) return <ReplaysPage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/replays/:replayId/', loc.path))) return <ReplayPage replayId={m.replayId!} />;
  if ((m = match('/traces/:traceId/', loc.path))) return <TracePage traceId={m.traceId!} />;
  if ((m = match('/issues/:issueId/', loc.path))) return <IssuePage issueId={m.issueId!} eventId={null} />;
  if ((m = match('/issues/:issueId/events/:eventId/', loc.path))) return <IssuePage issueId={m.issueId!} eventId={m.eventId!} />;
  if (loc.path === '/api-reference/') return <ApiReferencePage />;
  if (loc.path === '/') return <Loading />;
  return (
    <div class="empty">
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <Link href="/">Go to the issues</Link>.
      </p>
    </div>
  );
}
