import { useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { count } from '../format.js';
import { useAsync } from '../hooks.js';
import type { Issue, IssueHash } from '../types.js';
import { ErrorBox } from './status.js';

/** The fingerprints merged into this issue, each with an Unmerge button; nothing when none is. */
export function MergedFingerprints({ issue, canTriage, onChanged }: { issue: Issue; canTriage: boolean; onChanged: () => void }) {
  const hashes = useAsync(() => api<IssueHash[]>(`/api/0/issues/${issue.id}/hashes/`), [issue.id, issue.count]);
  const [error, setError] = useState<Error | null>(null);
  const merged = (hashes.data ?? []).filter((h) => h.merged);
  if (merged.length === 0) return null;

  async function unmerge(fingerprint: string) {
    setError(null);
    try {
      await api(`/api/0/issues/${issue.id}/hashes/${qs({ id: [fingerprint] })}`, { method: 'DELETE' });
      onChanged();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section class="card" data-testid="merged-fingerprints">
      <h2>Merged fingerprints</h2>
      <ul class="small-text">
        {merged.map((h) => (
          <li>
            <code>{h.id}</code> · {count(h.events)} events · issue #{h.issueId}{' '}
            {canTriage && (
              <button type="button" onClick={() => void unmerge(h.id)}>
                Unmerge
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && <ErrorBox error={error} />}
    </section>
  );
}
