/** "Replay" on an error's event page, when the event belongs to a replay the server has. */
import { api, ApiError } from '../api.js';
import { useAsync } from '../hooks.js';
import { Link } from '../router.js';
import { durationText, playerUrl, type Replay } from '../replay-types.js';

export function ReplaySection({ replayId, eventId, projectId }: { replayId: string; eventId: string; projectId: number }) {
  const replay = useAsync(
    () => api<Replay>(`/api/0/replays/${replayId}/`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
    [replayId],
  );
  if (!replay.data) return null;
  return (
    <section class="event-section" id="replay" aria-labelledby="replay-h" data-testid="replay-section">
      <h2 id="replay-h">Replay</h2>
      <p class="muted">
        {durationText(replay.data.duration)} recorded, {replay.data.segments} segments, starting 5 s before this error.{' '}
        <Link href={`/replays/${replayId}/`}>Open the replay</Link>
      </p>
      <ReplayFrame src={playerUrl(replayId, eventId, projectId)} />
    </section>
  );
}

export function ReplayFrame({ src }: { src: string }) {
  return <iframe class="replay-frame" title="Session replay" src={src} width="1040" height="780" />;
}
