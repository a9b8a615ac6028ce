/** One replay: who, where, how long, every error that happened during it, and the player. */
import { api, ApiError } from '../api.js';
import { ReplayFrame } from '../components/replay-section.js';
import { ErrorBox, Loading } from '../components/status.js';
import { asText, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { durationText, playerUrl, userLabel, type Replay } from '../replay-types.js';
import { Link } from '../router.js';
import type { FullEvent } from '../types.js';

function ReplayErrors({ replay }: { replay: Replay }) {
  const errors = useAsync(
    () =>
      Promise.all(
        replay.errorIds.slice(0, 50).map((id) =>
          api<FullEvent>(`/api/0/projects/${replay.projectId}/events/${id}/`).catch((e) => (e instanceof ApiError && e.status === 404 ? { eventId: id, issueId: 0 } as FullEvent : Promise.reject(e))),
        ),
      ),
    [replay.id],
  );
  if (errors.error) return <ErrorBox error={errors.error} />;
  if (!errors.data) return <Loading />;
  if (errors.data.length === 0) return <p class="muted">No error during this replay.</p>;
  return (
    <ul class="replay-errors" data-testid="replay-errors">
      {errors.data.map((e) => (
        <li>
          {e.issueId ? <Link href={`/issues/${e.issueId}/events/${e.eventId}/`}>{asText(e.title ?? e.eventId)}</Link> : <span class="mono">{e.eventId} (not received)</span>}{' '}
          <span class="muted">{dateTime(e.timestamp)}</span>
        </li>
      ))}
    </ul>
  );
}

export function ReplayPage({ replayId }: { replayId: string }) {
  const replay = useAsync(() => api<Replay>(`/api/0/replays/${replayId}/`), [replayId]);
  if (replay.error) return <ErrorBox error={replay.error} />;
  if (!replay.data) return <Loading />;
  const r = replay.data;
  return (
    <div class="replay-page">
      <p>
        <Link href={`/projects/${r.projectId}/replays/`}>Replays</Link>
      </p>
      <h1 class="mono">Replay {r.id}</h1>
      <dl class="facts">
        <dt>User</dt>
        <dd>{asText(userLabel(r.user))}</dd>
        <dt>Started</dt>
        <dd>{dateTime(r.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{durationText(r.duration)}</dd>
        <dt>Segments</dt>
        <dd>{r.segments}</dd>
        {r.sessionId && (
          <>
            <dt>Session</dt>
            <dd class="mono">{asText(r.sessionId)}</dd>
          </>
        )}
        {r.windowId && (
          <>
            <dt>Window</dt>
            <dd class="mono">{asText(r.windowId)}</dd>
          </>
        )}
        {r.release && (
          <>
            <dt>Release</dt>
            <dd class="mono">{asText(r.release)}</dd>
          </>
        )}
        <dt>URLs</dt>
        <dd>
          {r.urls.map((u) => (
            <div class="mono">{asText(u)}</div>
          ))}
        </dd>
      </dl>
      <h2>Errors ({r.errorIds.length})</h2>
      <ReplayErrors replay={r} />
      <h2>Recording</h2>
      <ReplayFrame src={playerUrl(r.id, r.errorIds[0], r.errorIds[0] ? r.projectId : undefined)} />
    </div>
  );
}
