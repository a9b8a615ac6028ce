/**
 * Seed 000's tag analysis: per key, a bar split by value share of the issue's events, then the
 * top values with percentage and count. A value links to the issue list filtered by it.
 */
import { BreakableKey } from './breakable-key.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { count, percent } from '../format.js';
import { filterToken } from '../query.js';
import { Link } from '../router.js';
import type { TagDistribution } from '../types.js';

export const PALETTE = ['#7c5cff', '#22a06b', '#e2703a', '#2d7ff9', '#d6409f', '#c99a06', '#0e9aa7', '#8b5e3c'];

export function filterHref(projectId: number | string, key: string, value: string): string {
  return `/projects/${projectId}/issues/?${new URLSearchParams({ query: filterToken(key, value), status: 'all' }).toString()}`;
}

/** The application's own tags (tier, flag_*) first; the ones every event has (level, user.id) after. */
const BUILT_IN = /^(environment|release|level|error\.type|user\.|account\.|transaction$|server_name$|os|browser|runtime|device|sdk)/;

export function TagPanel({ tags, projectId, issueId }: { tags: TagDistribution[]; projectId: number; issueId: number }) {
  if (tags.length === 0) return <p class="muted">No tags on this issue's events.</p>;
  const ordered = [...tags.filter((t) => !BUILT_IN.test(t.key)), ...tags.filter((t) => BUILT_IN.test(t.key))];
  return (
    <div class="tag-panel">
      {ordered.map((tag) => (
        <TagKey tag={tag} projectId={projectId} issueId={issueId} />
      ))}
    </div>
  );
}

function TagKey({ tag: initial, projectId, issueId }: { tag: TagDistribution; projectId: number; issueId: number }) {
  const [tag, setTag] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setTag(initial), [initial]);
  const shown = tag.topValues.reduce((sum, v) => sum + v.percentage, 0);
  const other = Math.max(0, 100 - shown);
  const shownCount = tag.topValues.reduce((sum, v) => sum + v.count, 0);
  const more = shownCount < tag.totalValues;
  async function showAll() {
    try {
      setTag(await api<TagDistribution>(`/api/0/issues/${issueId}/tags/${encodeURIComponent(tag.key)}/`));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section class="tag-key" data-tag-key={tag.key}>
      <div class="tag-key-head">
        <span class="mono tag-name">{tag.key}</span>
        <span class="muted small-text">
          {count(tag.totalValues)} event{tag.totalValues === 1 ? '' : 's'} ·{' '}
          <Link href={`/projects/${projectId}/compare/?${new URLSearchParams({ key: tag.key }).toString()}`} title="Compare this key's values across the project">
            compare
          </Link>
        </span>
      </div>
      <div class="dist-bar" role="img" aria-label={tag.topValues.map((v) => `${v.value} ${percent(v.percentage)}`).join(', ')}>
        {tag.topValues.map((v, i) => (
          <span style={{ width: `${v.percentage}%`, background: PALETTE[i % PALETTE.length] }} title={`${v.value}: ${percent(v.percentage)}`} />
        ))}
        {other > 0.5 && <span class="dist-other" style={{ width: `${other}%` }} title={`other or unset: ${percent(other)}`} />}
      </div>
      <ul class="tag-values">
        {tag.topValues.map((v, i) => (
          <li data-tag-value={v.value}>
            <span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />
            <Link href={filterHref(projectId, tag.key, v.value)} class="tag-value mono" title={`Show issues with ${tag.key}:${v.value}`}>
              {v.value}
            </Link>
            <span class="pct">{percent(v.percentage)}</span>
            <span class="muted small-text cnt">{count(v.count)}</span>
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" class="link-button small-text more" onClick={showAll}>
          All values…
        </button>
      )}
      {error && <p class="muted small-text">{error}</p>}
    </section>
  );
}

export interface CorrelationRow {
  key: string;
  value: string;
  issueEvents: number;
  issueShare: number;
  baselineEvents: number;
  baselineShare: number;
  lift: number | null;
  pValue: number | null;
  significant: boolean;
}

const share = (x: number) => percent(x * 100);

/**
 * Tag values over-represented in this issue compared with the project's other events while the
 * issue was active ("are errors correlated with certain flag_* values?"), strongest first.
 */
export function CorrelationTable({ rows, projectId }: { rows: CorrelationRow[]; projectId: number }) {
  if (rows.length === 0) return <p class="muted small-text">No flag_* tags on this issue's events.</p>;
  return (
    <table class="kv-table correlation">
      <thead>
        <tr>
          <th>value</th>
          <th class="num" title="Share of this issue's events">issue</th>
          <th class="num" title="Share of the project's other events in the same hours">others</th>
          <th class="num" title="issue share / others share">lift</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 12).map((r) => (
          <tr class={r.significant ? 'significant' : ''} data-correlation={`${r.key}:${r.value}`}>
            <td>
              <div class="mono muted small-text corr-key">
                  <BreakableKey text={r.key} />
                </div>
              <Link class="mono" href={filterHref(projectId, r.key, r.value)} title={`Show issues with ${r.key}:${r.value}`}>
                {r.value}
              </Link>
              {r.significant && (
                <span class="badge sig" title={`p = ${r.pValue === null ? '?' : r.pValue.toPrecision(2)}`}>
                  significant
                </span>
              )}
            </td>
            <td class="num">{share(r.issueShare)}</td>
            <td class="num">{r.baselineEvents === 0 && r.baselineShare === 0 ? '—' : share(r.baselineShare)}</td>
            <td class="num">{r.lift === null ? '—' : `${r.lift.toFixed(1)}×`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
