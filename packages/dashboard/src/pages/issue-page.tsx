import { useEffect, useState } from 'preact/hooks';
import { api, isMissingEndpoint, qs } from '../api.js';
import { Boundary } from '../components/boundary.js';
import { ErrorBox, Loading } from '../components/status.js';
import { CorrelationTable, TagPanel, type CorrelationRow } from '../components/tag-panel.js';
import { ago, count, dateTime } from '../format.js';
import { useAsync, useKeys } from '../hooks.js';
import { useCan } from '../session.js';
import { setStatus } from '../issue-actions.js';
import { DeleteButton } from '../components/delete-button.js';
import { Link, navigate } from '../router.js';
import type { EventSummary, FullEvent, Issue, IssueStats, IssueStatus, Release, TagDistribution } from '../types.js';
import { EventView } from './event-view.js';
import { IssueAlertFirings } from './alerts.js';
import { EventList } from '../components/event-list.js';
import { IssueComments } from '../components/issue-comments.js';
import { SnoozeBadge, SnoozeMenu } from '../components/snooze-menu.js';
import { ActivityTimeline } from '../components/activity-timeline.js';
import { AssigneePicker } from '../components/assignee-picker.js';
import { MergedFingerprints } from '../components/merged-fingerprints.js';

type Chart = (typeof import('../components/trend-chart.js'))['default'];

/** uPlot loads only when a chart is shown, so the issue list never pays for it. */
function LazyTrend({ stats }: { stats: IssueStats }) {
  const [Chart, setChart] = useState<Chart | null>(null);
  useEffect(() => {
    import('../components/trend-chart.js').then((m) => setChart(() => m.default));
  }, []);
  return Chart ? <Chart stats={stats} /> : <div class="trend placeholder" />;
}

const PERIODS = [
  { id: '24h', interval: '1h', label: '24 hours' },
  { id: '14d', interval: '1d', label: '14 days' },
  { id: '30d', interval: '1d', label: '30 days' },
];

/** null means "the server does not offer this yet". */
async function optional<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (isMissingEndpoint(error)) return null;
    throw error;
  }
}

interface LoadedEvent {
  event: FullEvent;
  older: string | null;
  newer: string | null;
}

/**
 * The event with its neighbours. Uses the issue-scoped event endpoint when the server has it (it
 * names previous and next); otherwise the project event endpoint, with neighbours found in the
 * issue's newest 100 events.
 */
async function loadEvent(issue: Issue, eventId: string | null): Promise<LoadedEvent> {
  const base = `/api/0/issues/${issue.id}/events/`;
  let event = await optional(api<FullEvent>(eventId ? `${base}${encodeURIComponent(eventId)}/` : `${base}latest/`));
  if (!event && eventId) event = await api<FullEvent>(`/api/0/projects/${issue.projectId}/events/${encodeURIComponent(eventId)}/`);
  if (!event) throw new Error('event not found');
  if ('previousEventId' in event || 'nextEventId' in event) {
    return { event, older: event.previousEventId ?? null, newer: event.nextEventId ?? null };
  }
  const list = await api<EventSummary[]>(`${base}${qs({ limit: 100 })}`);
  const index = list.findIndex((e) => e.eventId === event!.eventId);
  return { event, older: index >= 0 ? (list[index + 1]?.eventId ?? null) : null, newer: index > 0 ? list[index - 1]!.eventId : null };
}

/** The correlation answer's rows, or null when the shape is not one this dashboard knows. */
function correlationRows(body: unknown): CorrelationRow[] | null {
  const values = (body as { values?: unknown } | null)?.values;
  if (!Array.isArray(values)) return null;
  return values.filter((v): v is CorrelationRow => v && typeof v.key === 'string' && typeof v.issueShare === 'number');
}

export function IssuePage({ issueId, eventId }: { issueId: string; eventId: string | null }) {
  const issue = useAsync(() => api<Issue>(`/api/0/issues/${encodeURIComponent(issueId)}/`), [issueId]);
  if (issue.error) return <ErrorBox error={issue.error} />;
  if (!issue.data) return <Loading />;
  // A merged-away issue lives on in the issue it was merged into.
  if (issue.data.mergedInto !== null) {
    return (
      <div class="page empty" data-testid="merged-notice">
        <p>
          This issue was merged into <Link href={`/issues/${issue.data.mergedInto}/`}>issue #{issue.data.mergedInto}</Link>.
        </p>
      </div>
    );
  }
  return <IssueDetail issue={issue.data} eventId={eventId} onChanged={issue.reload} />;
}

function IssueDetail({ issue, eventId, onChanged }: { issue: Issue; eventId: string | null; onChanged: () => void }) {
  const [period, setPeriod] = useState(PERIODS[0]!);
  const [busy, setBusy] = useState(false);
  // Viewers only read: the triage buttons and keys are not offered (the server refuses them too).
  const canTriage = useCan('member');
  const canDelete = useCan('admin');
  const [actionError, setActionError] = useState<Error | null>(null);
  const stats = useAsync(() => optional(api<IssueStats>(`/api/0/issues/${issue.id}/stats/${qs({ period: period.id, interval: period.interval })}`)), [issue.id, period.id]);
  const tags = useAsync(() => api<TagDistribution[]>(`/api/0/issues/${issue.id}/tags/${qs({ limit: 5 })}`), [issue.id, issue.count]);
  const correlation = useAsync(
    () => optional(api<unknown>(`/api/0/issues/${issue.id}/tags/correlation/${qs({ prefix: 'flag_' })}`)).then(correlationRows, () => null),
    [issue.id, issue.count],
  );
  const event = useAsync(() => loadEvent(issue, eventId), [issue.id, eventId]);

  async function resolveInRelease(statusDetails: { inNextRelease: true } | { inRelease: string }) {
    setBusy(true);
    setActionError(null);
    try {
      await api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'resolved', statusDetails } });
      onChanged();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  async function change(status: IssueStatus) {
    setBusy(true);
    setActionError(null);
    try {
      await setStatus(issue.projectId, [issue.id], status);
      onChanged();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  const eventHref = (id: string) => `/issues/${issue.id}/events/${id}/`;
  useKeys({
    r: () => canTriage && void change(issue.status === 'resolved' ? 'unresolved' : 'resolved'),
    i: () => canTriage && void change(issue.status === 'ignored' ? 'unresolved' : 'ignored'),
    p: () => event.data?.older && navigate(eventHref(event.data.older)),
    n: () => event.data?.newer && navigate(eventHref(event.data.newer)),
    l: () => navigate(`/issues/${issue.id}/`),
    u: () => navigate(`/projects/${issue.projectId}/issues/`),
  });

  return (
    <div class="page issue-page">
      <div class="crumbs small-text">
        <Link href={`/projects/${issue.projectId}/issues/`}>← Issues</Link>
      </div>
      <header class="issue-head">
        <div class="issue-head-main">
          <h1 class="issue-h1">
            <span class={`level level-${issue.level}`} title={issue.level} />
            {issue.title}
          </h1>
          <p class="culprit">{issue.culprit || '—'}</p>
          <p class="badges">
            <span class={`badge status-${issue.status}`} data-testid="issue-status">
              {issue.status}
            </span>
            {issue.isRegressed && <span class="badge regressed">regressed</span>}
            {issue.status === 'ignored' && <SnoozeBadge issueId={issue.id} version={issue.count} />}
            {issue.status === 'resolved' && issue.statusDetails?.inRelease && (
              <span class="badge" data-testid="resolved-in">resolved in {issue.statusDetails.inRelease}</span>
            )}
            {issue.status === 'resolved' && issue.statusDetails?.inNextRelease && (
              <span class="badge" data-testid="resolved-in">resolved in the release after {issue.statusDetails.afterRelease ?? 'none yet'}</span>
            )}
            <span class="badge">{issue.level}</span>
            {issue.environments.map((e) => (
              <span class="badge env">{e}</span>
            ))}
          </p>
        </div>
        <div class="actions">
          <AssigneePicker issue={issue} canTriage={canTriage} onChanged={onChanged} />
          {!canTriage ? null : issue.status === 'unresolved' ? (
            <>
              <button type="button" class="primary" disabled={busy} onClick={() => change('resolved')}>
                Resolve
              </button>
              <ResolveInRelease issue={issue} busy={busy} onResolve={resolveInRelease} />
              <button type="button" disabled={busy} onClick={() => change('ignored')}>
                Ignore
              </button>
              <SnoozeMenu issueId={issue.id} busy={busy} onDone={onChanged} onError={setActionError} />
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => change('unresolved')}>
              {issue.status === 'resolved' ? 'Unresolve' : 'Stop ignoring'}
            </button>
          )}
          {canDelete && (
            <DeleteButton
              label="Delete"
              testid="delete-issue"
              question={`Delete this issue and its ${issue.count} events? This cannot be undone.`}
              path={`/api/0/issues/${issue.id}/`}
              onDeleted={() => navigate(`/projects/${issue.projectId}/issues/`)}
            />
          )}
        </div>
      </header>
      {actionError && <ErrorBox error={actionError} />}

      <div class="stats-row">
        <Stat label="Events" value={count(issue.count)} testid="stat-events" />
        <Stat label="Users" value={count(issue.userCount)} testid="stat-users" />
        <Stat label="Accounts" value={count(issue.accountCount)} testid="stat-accounts" />
        <Stat label="First seen" value={ago(issue.firstSeen)} title={dateTime(issue.firstSeen)} />
        <Stat label="Last seen" value={ago(issue.lastSeen)} title={dateTime(issue.lastSeen)} />
        <ReleaseStat label="First release" projectId={issue.projectId} version={issue.firstRelease} />
        <ReleaseStat label="Last release" projectId={issue.projectId} version={issue.lastRelease} />
      </div>

      <div class="issue-grid">
        <div class="issue-main">
          <section class="card">
            <div class="card-head">
              <h2>Events over time</h2>
              <div class="seg" role="group" aria-label="Period">
                {PERIODS.map((p) => (
                  <button type="button" class={p.id === period.id ? 'active' : ''} aria-pressed={p.id === period.id} onClick={() => setPeriod(p)}>
                    {p.label}
                  </button>
                ))}
              </div>
            </div>
            {stats.error ? (
              <ErrorBox error={stats.error} />
            ) : stats.data === null ? (
              <p class="muted">The trend needs the server's issue stats endpoint, which this server does not offer yet.</p>
            ) : !stats.data ? (
              <div class="trend placeholder" />
            ) : (
              <LazyTrend stats={stats.data} />
            )}
          </section>

          <section class="card">
            <div class="card-head">
              <h2>Event</h2>
              <nav class="event-nav" aria-label="Events">
                <button type="button" disabled={!event.data?.older} onClick={() => event.data?.older && navigate(eventHref(event.data.older))}>
                  ← Older
                </button>
                <button type="button" disabled={!event.data?.newer} onClick={() => event.data?.newer && navigate(eventHref(event.data.newer))}>
                  Newer →
                </button>
                <button type="button" disabled={!eventId} onClick={() => navigate(`/issues/${issue.id}/`)}>
                  Latest
                </button>
                {canDelete && event.data && (
                  <DeleteButton
                    label="Delete event"
                    testid="delete-event"
                    question="Delete this event? It leaves the issue's count. This cannot be undone."
                    path={`/api/0/projects/${issue.projectId}/events/${event.data.event.eventId}/`}
                    onDeleted={() => {
                      onChanged();
                      if (eventId) navigate(`/issues/${issue.id}/`);
                      else event.reload();
                    }}
                  />
                )}
              </nav>
            </div>
            {event.error ? <ErrorBox error={event.error} /> : !event.data ? <Loading /> : (
              <Boundary raw={event.data.event} key={event.data.event.eventId}>
                <EventView event={event.data.event} projectId={issue.projectId} />
              </Boundary>
            )}
          </section>

          <section class="card" data-testid="issue-events">
            <h2>All events</h2>
            <EventList projectId={issue.projectId} issueId={issue.id} query="" searchable />
          </section>

          <IssueComments issueId={issue.id} />
        </div>

        <aside class="issue-side">
          <section class="card">
            <h2>Tags</h2>
            <p class="muted small-text">Share of this issue's events. Click a value to filter issues by it.</p>
            {tags.error ? <ErrorBox error={tags.error} /> : !tags.data ? <Loading /> : <TagPanel tags={tags.data} projectId={issue.projectId} issueId={issue.id} />}
          </section>
          <ActivityTimeline issue={issue} version={`${issue.status}:${issue.assignedTo?.id ?? ''}:${issue.count}`} />
          <MergedFingerprints issue={issue} canTriage={canTriage} onChanged={onChanged} />
          <IssueAlertFirings issueId={issue.id} />
          {correlation.data != null && (
            <section class="card" data-testid="correlation">
              <h2>Flag correlation</h2>
              <p class="muted small-text">Share of flag_* values in this issue vs. the project's other events in the same hours.</p>
              <CorrelationTable rows={correlation.data} projectId={issue.projectId} />
            </section>
          )}
          <section class="card small-text muted">
            Keys: r resolve · i ignore · p/n older/newer event · l latest · u back to issues · ? all shortcuts
          </section>
        </aside>
      </div>
    </div>
  );
}

function Stat({ label, value, title, mono, testid }: { label: string; value: string; title?: string; mono?: boolean; testid?: string }) {
  return (
    <div class="stat" title={title} data-testid={testid}>
      <div class="stat-label">{label}</div>
      <div class={mono ? 'stat-value mono' : 'stat-value'}>{value}</div>
    </div>
  );
}

function ReleaseStat({ label, projectId, version }: { label: string; projectId: number; version: string | null }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value mono">
        {version ? <Link href={`/projects/${projectId}/releases/${encodeURIComponent(version)}/`}>{version}</Link> : '—'}
      </div>
    </div>
  );
}

/** "Resolve in next release" and "Resolve in release …" (the project's releases, newest first). */
function ResolveInRelease({ issue, busy, onResolve }: { issue: Issue; busy: boolean; onResolve: (d: { inNextRelease: true } | { inRelease: string }) => void }) {
  const [open, setOpen] = useState(false);
  const releases = useAsync(
    () => (open ? api<Release[]>(`/api/0/projects/${issue.projectId}/releases/${qs({ limit: 20 })}`) : Promise.resolve([] as Release[])),
    [open, issue.projectId],
  );
  return (
    <span class="resolve-release">
      <button type="button" disabled={busy} onClick={() => onResolve({ inNextRelease: true })} title="Events of the latest release or older keep it resolved; an event of a later release reopens it">
        Resolve in next release
      </button>
      <button type="button" disabled={busy} aria-expanded={open} onClick={() => setOpen(!open)}>
        In release…
      </button>
      {open && (
        <select
          aria-label="Resolve in release"
          disabled={busy || !releases.data}
          onChange={(e) => {
            const version = (e.target as HTMLSelectElement).value;
            if (version) onResolve({ inRelease: version });
          }}
        >
          <option value="">{releases.data ? 'Choose a release' : 'Loading…'}</option>
          {(releases.data ?? []).map((r) => (
            <option value={r.version}>{r.version}</option>
          ))}
        </select>
      )}
    </span>
  );
}
