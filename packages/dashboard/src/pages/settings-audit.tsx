/** The audit log (owners): sign-ins, failures, role changes, tokens, projects and keys. */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { dateTime } from '../format.js';
import { useAsync } from '../hooks.js';

interface Entry {
  id: number;
  at: string;
  action: string;
  actor: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export function AuditPage() {
  const [before, setBefore] = useState<number | null>(null);
  const page = useAsync(() => api<Entry[]>(`/api/0/audit-log/?limit=100${before ? `&cursor=${before}` : ''}`), [before]);
  if (page.error) return <ErrorBox error={page.error} />;
  if (!page.data) return <Loading />;
  return (
    <div class="settings">
      <h1>Audit log</h1>
      <table class="table" data-testid="audit">
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>Who</th>
            <th>Target</th>
            <th>Address</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {page.data.map((e) => (
            <tr data-action={e.action}>
              <td>{dateTime(e.at)}</td>
              <td class="mono">{e.action}</td>
              <td>{e.actor}</td>
              <td>{e.target ?? ''}</td>
              <td class="mono">{e.ip ?? ''}</td>
              <td class="mono small-text">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data.length === 100 && (
        <button type="button" onClick={() => setBefore(page.data![page.data!.length - 1]!.id)}>
          Older
        </button>
      )}
    </div>
  );
}
