import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAsync } from '../hooks.js';
import type { Issue } from '../types.js';
import { ErrorBox } from './status.js';

interface Member {
  id: number;
  email: string;
  name: string;
}

/** Who the issue is assigned to; members of the project are offered (docs/triage.md). */
export function AssigneePicker({ issue, canTriage, onChanged }: { issue: Issue; canTriage: boolean; onChanged: () => void }) {
  const members = useAsync(() => api<Member[]>(`/api/0/projects/${issue.projectId}/members/`).catch(() => [] as Member[]), [issue.projectId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const current = issue.assignedTo;
  const label = (m: Member) => (m.name ? `${m.name} (${m.email})` : m.email);

  async function assign(value: string) {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { assignedTo: value === '' ? null : value } });
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  if (!canTriage) return <span class="badge" data-testid="assignee">{current ? `assigned to ${current.name || current.email}` : 'unassigned'}</span>;
  const options = [...(members.data ?? [])];
  if (current && !options.some((m) => m.id === current.id)) options.push(current);
  return (
    <span class="assignee-picker">
      <select aria-label="Assignee" data-testid="assignee" disabled={busy} value={current ? `user:${current.id}` : ''} onChange={(e) => void assign((e.target as HTMLSelectElement).value)}>
        <option value="">Unassigned</option>
        {options.map((m) => (
          <option value={`user:${m.id}`}>{label(m)}</option>
        ))}
      </select>
      {error && <ErrorBox error={error} />}
    </span>
  );
}
