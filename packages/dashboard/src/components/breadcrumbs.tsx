/** The breadcrumb trail, oldest first, with time relative to the event, level and category. */
import { asText, list } from '../format.js';
import type { Breadcrumb } from '../types.js';

function seconds(ts: Breadcrumb['timestamp']): number | null {
  if (ts === null || ts === undefined) return null;
  if (typeof ts === 'number') return ts;
  const parsed = Date.parse(ts);
  return Number.isNaN(parsed) ? null : parsed / 1000;
}

function relative(at: number | null, eventAt: number | null): string {
  if (at === null) return '';
  if (eventAt === null) return new Date(at * 1000).toISOString().slice(11, 23);
  const delta = at - eventAt;
  const abs = Math.abs(delta);
  const text = abs < 60 ? `${abs.toFixed(abs < 10 ? 2 : 1)}s` : `${Math.floor(abs / 60)}m ${Math.round(abs % 60)}s`;
  return delta <= 0 ? `−${text}` : `+${text}`;
}

export function Breadcrumbs({ crumbs, eventTime }: { crumbs: Breadcrumb[]; eventTime: string | undefined }) {
  const eventAt = eventTime ? Date.parse(eventTime) / 1000 : null;
  return (
    <ol class="timeline">
      {list<Breadcrumb>(crumbs).filter((c) => c && typeof c === 'object').map((c) => {
        const level = asText(c.level) || 'info';
        const at = seconds(c.timestamp);
        const data = c.data && typeof c.data === 'object' && Object.keys(c.data).length ? c.data : null;
        return (
          <li class={`crumb crumb-${level}`}>
            <span class="crumb-time mono" title={at === null ? '' : new Date(at * 1000).toISOString()}>
              {relative(at, eventAt)}
            </span>
            <span class={`crumb-level badge level-badge-${level}`}>{level}</span>
            <span class="crumb-cat mono">{asText(c.category || c.type) || 'default'}</span>
            <span class="crumb-msg">
              {c.message ? <span>{asText(c.message)}</span> : null}
              {data && (
                <span class="crumb-data mono">
                  {Object.entries(data).map(([k, v]) => (
                    <span class="kv">
                      {k}={asText(v)}
                    </span>
                  ))}
                </span>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
