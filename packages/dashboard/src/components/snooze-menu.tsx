/**
 * Snooze (docs/triage.md): ignore an issue for a while, until N more events or N more users; the
 * server sets it back to unresolved by itself. SnoozeBadge says when it comes back.
 */
import type { IssueSnooze } from '@proliferate/api';
import { api, ApiError } from '../api.js';
import { dateTime } from '../format.js';
import { useAsync } from '../hooks.js';

const OPTIONS: Array<{ label: string; body: Record<string, number> }> = [
  { label: 'for 30 minutes', body: { minutes: 30 } },
  { label: 'for 2 hours', body: { minutes: 120 } },
  { label: 'for 24 hours', body: { minutes: 1440 } },
  { label: 'for 1 week', body: { minutes: 10080 } },
  { label: 'until 10 more events', body: { events: 10 } },
  { label: 'until 100 more events', body: { events: 100 } },
  { label: 'until 1000 more events', body: { events: 1000 } },
  { label: 'until 10 more users', body: { users: 10 } },
  { label: 'until 100 more users', body: { users: 100 } },
];

export function SnoozeMenu({ issueId, busy, onDone, onError }: { issueId: number; busy: boolean; onDone: () => void; onError: (e: Error) => void }) {
  return (
    <select
      aria-label="Snooze"
      disabled={busy}
      value=""
      onChange={(e) => {
        const select = e.target as HTMLSelectElement;
        const option = OPTIONS[Number(select.value)];
        select.value = '';
        if (!option) return;
        api(`/api/0/issues/${issueId}/snooze/`, { method: 'PUT', body: option.body }).then(onDone, onError);
      }}
    >
      <option value="">Snooze…</option>
      {OPTIONS.map((o, i) => (
        <option value={String(i)}>{o.label}</option>
      ))}
    </select>
  );
}

function describe(s: IssueSnooze): string {
  const parts: string[] = [];
  if (s.until) parts.push(`until ${dateTime(s.until)}`);
  if (s.remainingEvents !== null) parts.push(`${s.remainingEvents} more event${s.remainingEvents === 1 ? '' : 's'}`);
  if (s.remainingUsers !== null) parts.push(`${s.remainingUsers} more user${s.remainingUsers === 1 ? '' : 's'}`);
  return `snoozed: back ${parts.join(' or after ')}`;
}

/** For an ignored issue: when its snooze ends, if it has one. */
export function SnoozeBadge({ issueId, version }: { issueId: number; version: unknown }) {
  const snooze = useAsync(
    () => api<IssueSnooze>(`/api/0/issues/${issueId}/snooze/`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
    [issueId, version],
  );
  if (!snooze.data) return null;
  return (
    <span class="badge" data-testid="snooze-badge" title={`by ${snooze.data.createdBy}`}>
      {describe(snooze.data)}
    </span>
  );
}
