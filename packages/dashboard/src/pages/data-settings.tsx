/**
 * The data sections of project settings (docs/operations.md): how long the project's data is kept
 * and its optional storage budget, and GDPR erasure of one person across every project the admin
 * administers. Admins change them; everyone else reads the retention.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { useAsync } from '../hooks.js';

interface Retention {
  retentionDays: number | null;
  storageBudgetBytes: number | null;
  defaultRetentionDays: number;
  effectiveRetentionDays: number;
  storageBytes: number;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;

export function RetentionSection({ projectId, admin }: { projectId: number; admin: boolean }) {
  const settings = useAsync(() => api<Retention>(`/api/0/projects/${projectId}/retention/`), [projectId]);
  const [days, setDays] = useState<string | null>(null);
  const [budget, setBudget] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  if (settings.error) return <ErrorBox error={settings.error} />;
  if (!settings.data) return <Loading />;
  const s = settings.data;
  const daysText = days ?? (s.retentionDays === null ? '' : String(s.retentionDays));
  const budgetText = budget ?? (s.storageBudgetBytes === null ? '' : String(Math.round(s.storageBudgetBytes / MiB)));
  return (
    <section class="card" data-testid="retention">
      <h2>Data retention</h2>
      <p class="muted">
        Events, traces, logs and replays are kept {s.effectiveRetentionDays} days ({s.retentionDays === null ? 'the server default' : `the server default is ${s.defaultRetentionDays}`}), then
        deleted in the background. Stored now: about {mib(s.storageBytes)}.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const retentionDays = daysText.trim() === '' ? null : Number(daysText);
            const storageBudgetBytes = budgetText.trim() === '' ? null : Math.round(Number(budgetText) * MiB);
            await api(`/api/0/projects/${projectId}/retention/`, { method: 'PUT', body: { retentionDays, storageBudgetBytes } });
            setDays(null);
            setBudget(null);
            setMessage('Saved.');
            settings.reload();
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <label class="field">
          <span>Keep data for (days)</span>
          <input name="retention-days" inputMode="numeric" disabled={!admin} placeholder={`${s.defaultRetentionDays} (server default)`} value={daysText} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>Storage budget (MiB)</span>
          <input name="storage-budget" inputMode="numeric" disabled={!admin} placeholder="none" value={budgetText} onInput={(e) => setBudget((e.target as HTMLInputElement).value)} />
        </label>
        <p class="muted small-text">Past the budget, the oldest data is deleted first.</p>
        {admin && <button type="submit">Save</button>}
        {message && <span class="muted"> {message}</span>}
      </form>
      {error && <ErrorBox error={error} />}
    </section>
  );
}

export function ErasureSection() {
  const [field, setField] = useState<'email' | 'userId'>('email');
  const [value, setValue] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  return (
    <section class="card danger-zone" data-testid="erasure">
      <h2>Erase a person's data</h2>
      <p class="muted">
        Deletes every event and replay that carries this user e-mail or user id, in every project you administer (a GDPR erasure request). It cannot be undone.
      </p>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setResult(null);
          if (!confirm(`Delete every event and replay of ${value} in every project you administer? This cannot be undone.`)) return;
          try {
            const done = await api<{ events: number; replays: number }>('/api/0/erasures/', { method: 'POST', body: { [field]: value.trim() } });
            setResult(`Erased ${done.events} events and ${done.replays} replays.`);
            setValue('');
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <select aria-label="Identify the person by" value={field} onChange={(e) => setField((e.target as HTMLSelectElement).value as 'email' | 'userId')}>
          <option value="email">user e-mail</option>
          <option value="userId">user id</option>
        </select>
        <input name="erase-value" aria-label="User e-mail or id" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="danger" disabled={value.trim() === ''}>
          Erase
        </button>
      </form>
      {result && <p data-testid="erasure-result">{result}</p>}
      {error && <ErrorBox error={error} />}
    </section>
  );
}
