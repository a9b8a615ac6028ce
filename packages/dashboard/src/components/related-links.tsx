/** Links from an event to everything of its user, account, session, tab and trace (pages/related-page.tsx). */
import { Link } from '../router.js';
import { relatedHref } from '../pages/related-page.js';

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** The search key that names a user or account, in the order the server derives them. */
export function identityOf(kind: 'user' | 'account', value: Record<string, unknown> | null | undefined): [string, string] | null {
  if (!value || typeof value !== 'object') return null;
  const fields = kind === 'user' ? ['id', 'email', 'username'] : ['id', 'name'];
  for (const field of fields) {
    const v = text(value[field]);
    if (v) return [`${kind}.${field}`, v];
  }
  return null;
}

export function PersonLink({ projectId, kind, value }: { projectId: number; kind: 'user' | 'account'; value: Record<string, unknown> | null | undefined }) {
  const id = identityOf(kind, value);
  if (!id) return null;
  return (
    <Link href={relatedHref(projectId, id[0], id[1])} class="small-text" data-testid={`${kind}-page-link`}>
      All issues and events of this {kind} →
    </Link>
  );
}

export function SessionLinks({ projectId, sessionId, windowId }: { projectId: number; sessionId?: string | null; windowId?: string | null }) {
  if (!sessionId && !windowId) return null;
  return (
    <p class="small-text related-links">
      {sessionId && (
        <Link href={relatedHref(projectId, 'session_id', sessionId)} data-testid="session-link">
          Other errors in this session
        </Link>
      )}
      {sessionId && windowId && ' · '}
      {windowId && (
        <Link href={relatedHref(projectId, 'window_id', windowId)} data-testid="window-link">
          Other errors in this window
        </Link>
      )}
    </p>
  );
}
