/**
 * Project settings, ingest part (issue 17): rate limit and spike protection, inbound filters,
 * scrubbing rules, and what was dropped in the last 24 hours (server drops and SDK client reports).
 * Admins change them; everyone else reads. Per-key limits are set over the API (docs/operations.md).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox } from '../components/status.js';
import { useAsync } from '../hooks.js';

interface RateLimit {
  perMinute: number;
  burst: number;
}
interface IngestPolicy {
  rateLimit: RateLimit | null;
  keyRateLimits: Record<string, RateLimit>;
  spikeProtection: boolean | null;
  filters: { messagePatterns: string[]; releases: string[]; environments: string[]; browserExtensions: boolean };
  scrubbing: { defaults: boolean; extraKeys: string[]; extraPatterns: string[]; dropIpAddresses: boolean };
}
interface PolicyAnswer {
  policy: IngestPolicy;
  serverDefaults: { rateLimit: RateLimit | null; spikeProtection: boolean };
}
interface Outcomes {
  totals: Array<{ outcome: string; reason: string; category: string; count: number }>;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const OUTCOME_LABELS: Record<string, string> = { rate_limited: 'Rate limited', filtered: 'Filtered', client_discard: 'Dropped by the SDK' };

function formOf(policy: IngestPolicy) {
  return {
    perMinute: policy.rateLimit ? String(policy.rateLimit.perMinute) : '',
    burst: policy.rateLimit ? String(policy.rateLimit.burst) : '',
    spike: policy.spikeProtection === null ? 'default' : policy.spikeProtection ? 'on' : 'off',
    messagePatterns: policy.filters.messagePatterns.join('\n'),
    releases: policy.filters.releases.join('\n'),
    environments: policy.filters.environments.join('\n'),
    browserExtensions: policy.filters.browserExtensions,
    defaults: policy.scrubbing.defaults,
    extraKeys: policy.scrubbing.extraKeys.join('\n'),
    extraPatterns: policy.scrubbing.extraPatterns.join('\n'),
    dropIpAddresses: policy.scrubbing.dropIpAddresses,
  };
}

export function IngestPolicySettings({ projectId, readOnly }: { projectId: number; readOnly: boolean }) {
  const answer = useAsync(() => api<PolicyAnswer>(`/api/0/projects/${projectId}/ingest-policy/`), [projectId]);
  const outcomes = useAsync(() => api<Outcomes>(`/api/0/projects/${projectId}/outcomes/?period=24h`), [projectId]);
  const [form, setForm] = useState<ReturnType<typeof formOf> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (answer.data) setForm(formOf(answer.data.policy));
  }, [answer.data]);
  if (answer.error) return <ErrorBox error={answer.error} />;
  if (!answer.data || !form) return null;
  const defaults = answer.data.serverDefaults;
  const set = (change: Partial<typeof form>) => setForm({ ...form, ...change });
  const text = (name: 'messagePatterns' | 'releases' | 'environments' | 'extraKeys' | 'extraPatterns', label: string, hint: string) => (
    <label class="field">
      <span>{label}</span>
      <textarea name={name} rows={3} disabled={readOnly} placeholder={hint} value={form[name]} onInput={(e) => set({ [name]: (e.target as HTMLTextAreaElement).value })} />
    </label>
  );
  const check = (name: 'browserExtensions' | 'defaults' | 'dropIpAddresses', label: string) => (
    <label class="checkbox">
      <input type="checkbox" name={name} disabled={readOnly} checked={form[name]} onChange={(e) => set({ [name]: (e.target as HTMLInputElement).checked })} /> {label}
    </label>
  );
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const policy: IngestPolicy = {
      rateLimit: form.perMinute === '' ? null : { perMinute: Number(form.perMinute), burst: Number(form.burst || Math.max(1, Math.ceil(Number(form.perMinute) / 10))) },
      keyRateLimits: answer.data!.policy.keyRateLimits,
      spikeProtection: form.spike === 'default' ? null : form.spike === 'on',
      filters: { messagePatterns: lines(form.messagePatterns), releases: lines(form.releases), environments: lines(form.environments), browserExtensions: form.browserExtensions },
      scrubbing: { defaults: form.defaults, extraKeys: lines(form.extraKeys), extraPatterns: lines(form.extraPatterns), dropIpAddresses: form.dropIpAddresses },
    };
    try {
      await api(`/api/0/projects/${projectId}/ingest-policy/`, { method: 'PUT', body: policy });
      setMessage('Saved.');
      answer.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <>
      <section class="card" data-testid="ingest-policy">
        <h2>Limits, filters and scrubbing</h2>
        <form onSubmit={save}>
          <h3>Rate limit</h3>
          <p class="muted small-text">
            Error events and transactions per minute; past it, SDKs get 429 and back off. Empty: the server default (
            {defaults.rateLimit ? `${defaults.rateLimit.perMinute} a minute` : 'no limit'}); 0: no limit.
          </p>
          <label class="field">
            <span>Events per minute</span>
            <input name="perMinute" inputMode="numeric" disabled={readOnly} value={form.perMinute} onInput={(e) => set({ perMinute: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>Burst</span>
            <input name="burst" inputMode="numeric" disabled={readOnly} value={form.burst} onInput={(e) => set({ burst: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>Spike protection</span>
            <select name="spike" disabled={readOnly} value={form.spike} onChange={(e) => set({ spike: (e.target as HTMLSelectElement).value })}>
              <option value="default">Server default ({defaults.spikeProtection ? 'on' : 'off'})</option>
              <option value="on">On</option>
              <option value="off">Off</option>
            </select>
          </label>
          <h3>Inbound filters</h3>
          {text('messagePatterns', 'Error messages to drop', 'One glob a line, e.g. *ChunkLoadError*')}
          {text('releases', 'Releases to drop', 'One glob a line, e.g. 1.0.*')}
          {text('environments', 'Environments to drop', 'One name a line, e.g. staging')}
          {check('browserExtensions', 'Drop errors from browser extensions')}
          <h3>Scrubbing</h3>
          {check('defaults', 'Default rules: passwords, secrets, tokens, API keys, auth and cookie headers, card numbers, national ids')}
          {text('extraKeys', 'More key names to scrub', 'One a line, e.g. internal_ref')}
          {text('extraPatterns', 'Regular expressions to scrub', 'One a line, e.g. ACME-[0-9]{6}')}
          {check('dropIpAddresses', 'Never store IP addresses')}
          {!readOnly && <button type="submit">Save</button>}
          {message && <span class="muted"> {message}</span>}
        </form>
        {error && <ErrorBox error={error} />}
      </section>
      <section class="card" data-testid="outcomes">
        <h2>Dropped in the last 24 hours</h2>
        {outcomes.error && <ErrorBox error={outcomes.error} />}
        {outcomes.data && outcomes.data.totals.length === 0 && <p class="muted">Nothing was dropped.</p>}
        {outcomes.data && outcomes.data.totals.length > 0 && (
          <table class="table">
            <thead>
              <tr>
                <th>What</th>
                <th>Reason</th>
                <th>Category</th>
                <th>Count</th>
              </tr>
            </thead>
            <tbody>
              {outcomes.data.totals.map((row) => (
                <tr>
                  <td>{OUTCOME_LABELS[row.outcome] ?? row.outcome}</td>
                  <td>{row.reason}</td>
                  <td>{row.category}</td>
                  <td>{row.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
