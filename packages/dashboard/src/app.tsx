import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, clearToken, clearTokenIfSent, getToken, setCsrfToken, setUnauthorizedHandler } from './api.js';
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
import { RelatedPage } from './pages/related-page.js';
import { ReplaysPage } from './pages/replays.js';
import { SetupPage } from './pages/setup.js';
import { AcceptInvitePage, ResetPasswordPage, SetupOwnerPage } from './pages/account-links.js';
import { ProjectSettingsPage } from './pages/project-settings.js';
import { AccountPage } from './pages/settings-account.js';
import { AuditPage } from './pages/settings-audit.js';
import { TeamPage } from './pages/settings-team.js';
import { SignIn } from './pages/sign-in.js';
import { TracePage } from './pages/trace-page.js';
import { TracesPage } from './pages/traces.js';
import { Link, match, navigate, useLocation } from './router.js';
import { atLeast, MeContext, type Me } from './session.js';
import type { Project } from './types.js';

/** Pages opened from a one-time link work without signing in. */
const LINK_PAGES: Record<string, () => preact.JSX.Element | null> = {
  '/setup-owner': SetupOwnerPage,
  '/accept-invite': AcceptInvitePage,
  '/reset-password': ResetPasswordPage,
};

export function App() {
  const loc = useLocation();
  // undefined: still asking the server; null: nobody signed in (or the token is no longer valid).
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => setUnauthorizedHandler(() => (clearToken(), setCsrfToken(null), setMe(null))), []);
  useEffect(() => {
    const sent = getToken();
    api<Me>('/api/0/auth/me/').then(
      (who) => (setCsrfToken(who.csrfToken), setMe(who)),
      (error: unknown) => {
        // A token stored while this request was in flight is not the one refused: ask again with it.
        if (error instanceof ApiError && error.status === 401 && !clearTokenIfSent(sent)) setTick((t) => t + 1);
        else setMe(null);
      },
    );
  }, [tick]);
  const LinkPage = LINK_PAGES[loc.path.replace(/\/$/, '')];
  if (LinkPage) return <LinkPage />;
  if (me === undefined) return <Loading />;
  if (me === null) return <SignIn onSignedIn={() => setTick((t) => t + 1)} />;
  const signOut = async () => {
    if (me.kind === 'session') await api('/api/0/auth/sign-out/', { method: 'POST' }).catch(() => undefined);
    clearToken();
    setCsrfToken(null);
    setMe(null);
  };
  return (
    <MeContext.Provider value={me}>
      <Shell onSignOut={() => void signOut()} me={me} />
    </MeContext.Provider>
  );
}

function Shell({ onSignOut, me }: { onSignOut: () => void; me: Me }) {
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
            <Link href={`/projects/${projectId}/settings/`} class={projectMatch?.page === 'settings' ? 'active' : ''}>
              Settings
            </Link>
          </nav>
        )}
        <span class="spacer" />
        <nav class="topnav">
          {atLeast(me, 'admin') && me.kind !== 'project_token' && <Link href="/settings/team/">Team</Link>}
          {atLeast(me, 'owner') && <Link href="/settings/audit/">Audit log</Link>}
          <Link href="/settings/account/" data-testid="account-link">
            {me.user?.email ?? 'API token'}
          </Link>
        </nav>
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
        ) : loc.path.startsWith('/settings/') ? (
          <SettingsRoutes path={loc.path} onSignOut={onSignOut} />
        ) : list.length === 0 ? (
          <div class="empty">
            <h1>No projects</h1>
            <p class="muted">You are not a member of any project yet: ask an owner or admin to add you.</p>
          </div>
        ) : (
          <Routes loc={loc} onProjectsChanged={projects.reload} />
        )}
      </main>
    </div>
  );
}

function SettingsRoutes({ path, onSignOut }: { path: string; onSignOut: () => void }) {
  if (path === '/settings/team/') return <TeamPage />;
  if (path === '/settings/audit/') return <AuditPage />;
  if (path === '/settings/account/') return <AccountPage onSignedOut={onSignOut} />;
  return <NotFound />;
}

function NotFound() {
  return (
    <div class="empty">
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <Link href="/">Go to the issues</Link>.
      </p>
    </div>
  );
}

function Routes({ loc, onProjectsChanged }: { loc: ReturnType<typeof useLocation>; onProjectsChanged: () => void }) {
  let m;
  if ((m = match('/projects/:projectId/settings/', loc.path))) return <ProjectSettingsPage projectId={m.projectId!} onProjectsChanged={onProjectsChanged} />;
  if ((m = match('/projects/:projectId/issues/', loc.path))) return <IssueList projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/compare/', loc.path))) return <ComparePage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/alerts/', loc.path))) return <AlertsPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/setup/', loc.path))) return <SetupPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/traces/', loc.path))) return <TracesPage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/releases/', loc.path))) return <ReleasesPage projectId={m.projectId!} />;
  if ((m = match('/projects/:projectId/releases/:version/', loc.path))) return <ReleasePage projectId={m.projectId!} version={m.version!} />;
  if ((m = match('/projects/:projectId/replays/', loc.path))) return <ReplaysPage projectId={m.projectId!} loc={loc} />;
  if ((m = match('/projects/:projectId/by/:key/:value/', loc.path))) return <RelatedPage projectId={m.projectId!} keyName={m.key!} value={m.value!} key={loc.path} />;
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
