/**
 * An issue's comments (docs/triage.md): written by the signed-in team member, shown as plain text
 * (never as HTML), deletable by their author or an admin.
 */
import './triage.css';
import { useState } from 'preact/hooks';
import type { IssueComment } from '@proliferate/api';
import { api } from '../api.js';
import { ago, dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { atLeast, useCan, useMe } from '../session.js';
import { ErrorBox, Loading } from './status.js';

export function IssueComments({ issueId }: { issueId: number }) {
  const comments = useAsync(() => api<IssueComment[]>(`/api/0/issues/${issueId}/comments/`), [issueId]);
  const me = useMe();
  const canWrite = useCan('member');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      comments.reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  const mine = (c: IssueComment) => (me?.user ? c.userId === me.user.id : c.userId === null) || atLeast(me, 'admin');

  return (
    <section class="card" data-testid="comments">
      <h2>Comments{comments.data?.length ? ` (${comments.data.length})` : ''}</h2>
      {comments.error ? (
        <ErrorBox error={comments.error} />
      ) : !comments.data ? (
        <Loading />
      ) : comments.data.length === 0 ? (
        <p class="muted small-text">No comments yet.</p>
      ) : (
        <ul class="comments">
          {comments.data.map((c) => (
            <li class="comment" data-comment-id={c.id}>
              <div class="comment-head small-text">
                <strong>{c.author}</strong> <span class="muted" title={dateTime(c.createdAt)}>{ago(c.createdAt)}</span>
                {c.updatedAt && <span class="muted"> (edited)</span>}
                {canWrite && mine(c) && (
                  <button type="button" class="link-button" disabled={busy} onClick={() => run(() => api(`/api/0/issues/${issueId}/comments/${c.id}/`, { method: 'DELETE' }))}>
                    Delete
                  </button>
                )}
              </div>
              <p class="comment-text">{c.text}</p>
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorBox error={error} />}
      {canWrite && (
        <form
          class="comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            void run(async () => {
              await api(`/api/0/issues/${issueId}/comments/`, { method: 'POST', body: { text } });
              setText('');
            });
          }}
        >
          <textarea aria-label="Comment" placeholder="Add a comment" maxLength={10_000} rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="primary" disabled={busy || !text.trim()}>
            Comment
          </button>
        </form>
      )}
    </section>
  );
}
