/**
 * The replay player page, shown in an iframe of the dashboard (/replay-frame/?replay=ID&event=ID&project=ID).
 * It is its own document so that its Content-Security-Policy may allow inline styles, which the
 * replayed page's own <style> elements and style attributes need; scripts stay 'self' only, as
 * everywhere in the dashboard, and rrweb's replay iframe is sandboxed without scripts.
 *
 * It plays from 5 s before the error (or the start), lists errors, breadcrumbs and console logs
 * on one timeline (a click seeks there), and keeps the position in `data-current-ms` / `data-error-ms`
 * (offsets from the replay's start) so tests and tools can read where the player is.
 */
import Player from 'rrweb-player';
import 'rrweb-player/dist/style.css';
import './replay-frame.css';
import { eventMoments, mergeMoments, recordedMoments, type Moment } from './timeline.js';

const TOKEN_KEY = 'proliferate.token';
const LEAD_IN_MS = 5000;

async function get<T>(path: string): Promise<T> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const hex = (value: string | null) => (value && /^[0-9a-f]{32}$/i.test(value) ? value.toLowerCase() : null);

function say(text: string): void {
  const box = document.getElementById('player')!;
  box.textContent = text;
  box.className = 'replay-message';
}

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function renderTimeline(moments: Moment[], startMs: number, seek: (offset: number) => void): HTMLLIElement[] {
  const list = document.getElementById('timeline')!;
  return moments.map((moment) => {
    const item = document.createElement('li');
    item.className = `moment moment-${moment.kind}`;
    item.dataset.offsetMs = String(Math.round(moment.ms - startMs));
    const button = document.createElement('button');
    button.type = 'button';
    const time = document.createElement('span');
    time.className = 'moment-time';
    time.textContent = clock(moment.ms - startMs);
    const label = document.createElement('span');
    label.className = 'moment-label';
    label.textContent = moment.label;
    button.append(time, label);
    button.addEventListener('click', () => seek(moment.ms - startMs));
    item.append(button);
    list.append(item);
    return item;
  });
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const replayId = hex(params.get('replay'));
  const eventId = hex(params.get('event'));
  const projectId = params.get('project');
  if (!replayId) return say('No replay given.');
  const events = await get<Array<{ type: number; timestamp: number }>>(`/api/0/replays/${replayId}/recording/`);
  if (events.length < 2) return say('This replay has no recording to play yet.');
  const event =
    eventId && projectId && /^\d+$/.test(projectId)
      ? await get<{ timestamp?: string; breadcrumbs?: unknown; title?: string }>(`/api/0/projects/${projectId}/events/${eventId}/`).catch(() => null)
      : null;
  const startMs = events[0]!.timestamp;
  const endMs = events[events.length - 1]!.timestamp;
  const errorMs = event?.timestamp ? Date.parse(event.timestamp) : null;
  const moments = mergeMoments(
    recordedMoments(events as never),
    eventMoments(event?.breadcrumbs),
    errorMs !== null ? [{ ms: errorMs, kind: 'error', label: `Error: ${event?.title ?? 'this event'}` }] : [],
  );
  const target = document.getElementById('player')!;
  const player = new Player({
    target,
    props: { events: events as never, width: Math.min(1000, innerWidth - 24), height: 480, autoPlay: false, skipInactive: true, showController: true },
  });
  if (errorMs !== null) document.body.dataset.errorMs = String(Math.round(errorMs - startMs));
  document.body.dataset.durationMs = String(endMs - startMs);
  const items = renderTimeline(moments, startMs, (offset) => player.goto(Math.max(0, offset), true));
  player.addEventListener('ui-update-current-time', (params) => {
    const current = (params as { payload: number }).payload;
    document.body.dataset.currentMs = String(Math.round(current));
    for (const item of items) item.classList.toggle('past', Number(item.dataset.offsetMs) <= current);
  });
  const from = errorMs !== null ? Math.max(0, errorMs - startMs - LEAD_IN_MS) : 0;
  document.body.dataset.startMs = String(from);
  player.goto(from, true);
}

main().catch((error: Error) => say(`The replay could not be loaded: ${error.message}`));
