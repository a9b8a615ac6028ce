/**
 * The moments shown beside the player: the error(s), the event's breadcrumbs and the breadcrumbs
 * (console logs, clicks, navigations) the Sentry SDK records into the replay itself, one list
 * in time order. Text goes into the DOM as text nodes only, never as HTML.
 */
export interface Moment {
  ms: number;
  kind: 'error' | 'console' | 'breadcrumb';
  label: string;
}

interface RecordedEvent {
  type: number;
  timestamp: number;
  data?: { tag?: string; payload?: Record<string, unknown> };
}

const seconds = (value: unknown): number | null =>
  typeof value === 'number' ? (value < 1e11 ? value * 1000 : value) : typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : null;

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 299)}…` : text);

function crumbLabel(crumb: Record<string, unknown>): string {
  const category = typeof crumb.category === 'string' ? crumb.category : 'breadcrumb';
  const message = typeof crumb.message === 'string' ? crumb.message : crumb.data ? JSON.stringify(crumb.data) : '';
  return clip(`${category}: ${message}`);
}

/** Breadcrumbs recorded into the replay (rrweb custom events with tag "breadcrumb"). */
export function recordedMoments(events: RecordedEvent[]): Moment[] {
  const out: Moment[] = [];
  for (const event of events) {
    if (event.type !== 5 || event.data?.tag !== 'breadcrumb' || !event.data.payload) continue;
    const crumb = event.data.payload;
    const category = String(crumb.category ?? '');
    if (category.startsWith('replay.')) continue;
    out.push({ ms: seconds(crumb.timestamp) ?? event.timestamp, kind: category === 'console' ? 'console' : 'breadcrumb', label: crumbLabel(crumb) });
  }
  return out;
}

export function eventMoments(breadcrumbs: unknown): Moment[] {
  const list = Array.isArray(breadcrumbs) ? breadcrumbs : Array.isArray((breadcrumbs as { values?: unknown })?.values) ? (breadcrumbs as { values: unknown[] }).values : [];
  return list.flatMap((crumb) => {
    if (!crumb || typeof crumb !== 'object') return [];
    const c = crumb as Record<string, unknown>;
    const ms = seconds(c.timestamp);
    return ms === null ? [] : [{ ms, kind: c.category === 'console' ? ('console' as const) : ('breadcrumb' as const), label: crumbLabel(c) }];
  });
}

/** One list, in time order, without the same crumb twice (event and recording both carry it). */
export function mergeMoments(...lists: Moment[][]): Moment[] {
  const seen = new Set<string>();
  return lists
    .flat()
    .sort((a, b) => a.ms - b.ms)
    .filter((m) => {
      const key = `${Math.round(m.ms / 100)}|${m.label}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
