/**
 * Seed 000: "compare error rates between flag variants", "which experiment_variant has more
 * errors?". One tag key across the project: per value its error events, share, issues, users and,
 * when traces carry the same tag, the error rate per transaction; then the values over time.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, isMissingEndpoint, qs } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { PALETTE } from '../components/tag-panel.js';
import type { Series } from '../components/trend-chart.js';
import { count, percent } from '../format.js';
import { useAsync } from '../hooks.js';
import { filterToken } from '../query.js';
import { Link, navigate, type Loc } from '../router.js';
import { projectTagKeys } from '../tags.js';

interface Variant {
  value: string;
  events: number;
  issues: number;
  users: number;
  percentage: number;
  transactions?: number;
  errorRate?: number | null;
}

interface Comparison {
  key: string;
  totalEvents: number;
  variants?: Variant[];
  values?: Variant[];
  transactionsNotFilteredBy?: string[];
}

/** Errors per transaction: up to 2 decimals, trailing zeros dropped (7.5, 0.33, 2). */
const ratio = (n: number) => String(Math.round(n * 100) / 100);

interface ValueStats {
  interval: string;
  series: { value: string; buckets: { start: string; count: number }[] }[];
}

const PERIODS = [
  { id: '24h', interval: '1h', label: 'Last 24 hours' },
  { id: '7d', interval: '1d', label: 'Last 7 days' },
  { id: '14d', interval: '1d', label: 'Last 14 days' },
  { id: '30d', interval: '1d', label: 'Last 30 days' },
];

type ChartModule = typeof import('../components/trend-chart.js');

function LazySeries(props: { starts: string[]; series: Series[] }) {
  const [mod, setMod] = useState<ChartModule | null>(null);
  useEffect(() => {
    import('../components/trend-chart.js').then((m) => setMod(m));
  }, []);
  return mod ? <mod.SeriesChart {...props} /> : <div class="trend placeholder" />;
}

/** The compare endpoint, or the plain distribution when the server has no compare yet. */
async function loadComparison(projectId: string, key: string, period: string, query: string): Promise<Comparison> {
  const base = `/api/0/projects/${encodeURIComponent(projectId)}/tags/${encodeURIComponent(key)}/`;
  const params = qs({ period, query, limit: 20 });
  try {
    return await api<Comparison>(`${base}compare/${params}`);
  } catch (error) {
    if (!isMissingEndpoint(error)) throw error;
    return api<Comparison>(`${base}distribution/${params}`);
  }
}

export function ComparePage({ projectId, loc }: { projectId: string; loc: Loc }) {
  const key = loc.params.get('key') ?? '';
  const period = PERIODS.find((p) => p.id === loc.params.get('period')) ?? PERIODS[2]!;
  const query = loc.params.get('query') ?? '';
  const [queryText, setQueryText] = useState(query);
  useEffect(() => setQueryText(query), [query]);
  const go = (patch: Record<string, string>) =>
    navigate(`/projects/${projectId}/compare/${qs({ key, period: period.id, query, ...patch })}`);

  const keys = useAsync(() => projectTagKeys(projectId), [projectId]);
  useEffect(() => {
    const first = keys.data?.find((k) => k.key.startsWith('flag_')) ?? keys.data?.[0];
    if (!key && first) navigate(`/projects/${projectId}/compare/${qs({ key: first.key, period: period.id })}`, { replace: true });
  }, [key, keys.data]);

  const comparison = useAsync(() => (key ? loadComparison(projectId, key, period.id, query) : Promise.resolve(null)), [projectId, key, period.id, query]);
  const rows = comparison.data ? (comparison.data.variants ?? comparison.data.values ?? []) : [];
  const stats = useAsync(async () => {
    if (!key || rows.length === 0) return null;
    const values = rows.slice(0, 6).map((r) => r.value);
    try {
      return await api<ValueStats>(
        `/api/0/projects/${encodeURIComponent(projectId)}/tags/${encodeURIComponent(key)}/stats/${qs({ values: values.join(','), period: period.id, interval: period.interval, query })}`,
      );
    } catch (error) {
      if (isMissingEndpoint(error)) return null;
      throw error;
    }
  }, [comparison.data]);
  // Error rates only mean something where traces carry the key too.
  const hasRates = rows.some((r) => (r.transactions ?? 0) > 0);
  const max = Math.max(1, ...rows.map((r) => r.events));

  return (
    <div class="page compare">
      <h1>Compare tag values</h1>
      <div class="toolbar">
        <select aria-label="Tag key" value={key} onChange={(e) => go({ key: (e.target as HTMLSelectElement).value })}>
          {(keys.data ?? []).map((k) => (
            <option value={k.key}>{k.key}</option>
          ))}
        </select>
        <select aria-label="Period" value={period.id} onChange={(e) => go({ period: (e.target as HTMLSelectElement).value })}>
          {PERIODS.map((p) => (
            <option value={p.id}>{p.label}</option>
          ))}
        </select>
        <form
          class="search"
          onSubmit={(e) => {
            e.preventDefault();
            go({ query: queryText.trim() });
          }}
        >
          <input
            type="search"
            class="search-input"
            aria-label="Only events matching"
            placeholder="Only events matching, e.g. environment:production (Enter)"
            value={queryText}
            onInput={(e) => setQueryText((e.target as HTMLInputElement).value)}
          />
        </form>
      </div>
      {keys.error && <ErrorBox error={keys.error} />}
      {comparison.error ? (
        <ErrorBox error={comparison.error} />
      ) : !comparison.data ? (
        key ? <Loading /> : <p class="muted">No tags yet.</p>
      ) : (
        <section class="card">
          <p class="muted small-text">
            {count(comparison.data.totalEvents)} error events in the period
            {query ? ' matching the filter' : ''}. Share is of those events;
            {hasRates ? ' errors per transaction is error events / transactions (traces) with the same value' : ' error rates need traces tagged with the same key.'}
            {hasRates && (comparison.data.transactionsNotFilteredBy?.length ? `; transactions are not filtered by ${comparison.data.transactionsNotFilteredBy.join(', ')}.` : '.')}
          </p>
          <table class="kv-table variants" data-testid="variants">
            <thead>
              <tr>
                <th>{key}</th>
                <th class="num">errors</th>
                <th class="bar-col" />
                <th class="num">share</th>
                <th class="num">issues</th>
                <th class="num">users</th>
                {hasRates && <th class="num">transactions</th>}
                {hasRates && <th class="num" title="error events divided by transactions with the same value">errors per transaction</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr data-variant={r.value}>
                  <td>
                    <span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />{' '}
                    <Link class="mono" href={`/projects/${projectId}/issues/${qs({ query: filterToken(key, r.value), status: 'all' })}`}>
                      {r.value}
                    </Link>
                  </td>
                  <td class="num events">{count(r.events)}</td>
                  <td class="bar-col">
                    <span class="hbar" style={{ width: `${(r.events / max) * 100}%`, background: PALETTE[i % PALETTE.length] }} />
                  </td>
                  <td class="num">{percent(r.percentage)}</td>
                  <td class="num">{count(r.issues)}</td>
                  <td class="num">{count(r.users)}</td>
                  {hasRates && <td class="num">{count(r.transactions ?? 0)}</td>}
                  {hasRates && (
                    <td class="num error-rate">
                      {r.errorRate === null || r.errorRate === undefined ? (
                        '—'
                      ) : (
                        // A ratio, not a percentage: 15 errors over 2 transactions is 7.5 per transaction, not "750%".
                        <>
                          {ratio(r.errorRate)} <span class="muted">({count(r.events)} / {count(r.transactions ?? 0)})</span>
                        </>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p class="muted">No events with this key in the period.</p>}
        </section>
      )}
      {stats.data && stats.data.series.length > 0 && (
        <section class="card">
          <h2>Errors over time per value</h2>
          <LazySeries
            starts={stats.data.series[0]!.buckets.map((b) => b.start)}
            series={stats.data.series.map((s) => ({
              label: s.value,
              color: PALETTE[Math.max(0, rows.findIndex((r) => r.value === s.value)) % PALETTE.length]!,
              counts: s.buckets.map((b) => b.count),
            }))}
          />
        </section>
      )}
    </div>
  );
}
