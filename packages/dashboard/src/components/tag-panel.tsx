/**
 * Seed 000's tag analysis: per key, a bar split by value share of the issue's events, then the
 * top values with percentage and count. A value links to the issue list filtered by it.
 */
import { count, percent } from '../format.js';
import { filterToken } from '../query.js';
import { Link } from '../router.js';
import type { TagDistribution } from '../types.js';

const PALETTE = ['#7c5cff', '#22a06b', '#e2703a', '#2d7ff9', '#d6409f', '#c99a06', '#0e9aa7', '#8b5e3c'];

export function filterHref(projectId: number | string, key: string, value: string): string {
  return `/projects/${projectId}/issues/?${new URLSearchParams({ query: filterToken(key, value), status: 'all' }).toString()}`;
}

/** The application's own tags (tier, flag_*) first; the ones every event has (level, user.id) after. */
const BUILT_IN = /^(environment|release|level|error\.type|user\.|account\.|transaction$|server_name$|os|browser|runtime|device|sdk)/;

export function TagPanel({ tags, projectId }: { tags: TagDistribution[]; projectId: number }) {
  if (tags.length === 0) return <p class="muted">No tags on this issue's events.</p>;
  const ordered = [...tags.filter((t) => !BUILT_IN.test(t.key)), ...tags.filter((t) => BUILT_IN.test(t.key))];
  return (
    <div class="tag-panel">
      {ordered.map((tag) => {
        const shown = tag.topValues.reduce((sum, v) => sum + v.percentage, 0);
        const other = Math.max(0, 100 - shown);
        return (
          <section class="tag-key" data-tag-key={tag.key}>
            <div class="tag-key-head">
              <span class="mono tag-name">{tag.key}</span>
              <span class="muted small-text">{count(tag.totalValues)} events</span>
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
          </section>
        );
      })}
    </div>
  );
}

/** The correlation endpoint's answer is shown as a table of whatever fields it returns. */
export function CorrelationTable({ rows }: { rows: Record<string, unknown>[] }) {
  if (rows.length === 0) return <p class="muted">No flag_* tags correlate with this issue.</p>;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => {
    const sample = rows[0]?.[c];
    return sample === null || typeof sample !== 'object';
  });
  return (
    <table class="kv-table correlation">
      <thead>
        <tr>
          {columns.map((c) => (
            <th>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {columns.map((c) => (
              <td class="mono">{r[c] === null || r[c] === undefined ? '' : String(r[c])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
