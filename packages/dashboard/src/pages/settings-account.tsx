/** My account: change password, sign out everywhere, personal API tokens (shown once). */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ago } from '../format.js';
import { useAsync } from '../hooks.js';
import { useMe } from '../session.js';
import type { Project } from '../types.js';

interface PersonalToken {
  id: number;
  name: string;
  projectId: number | null;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export function AccountPage({ onSignedOut }: { onSignedOut: () => void }) {
  const me = useMe();
  if (me?.kind !== 'session') {
    return (
      <div class="empty">
        <h1>Account</h1>
        <p class="muted">You are using an API token; sign in with an e-mail address to manage an account.</p>
      </div>
    );
  }
  return (
    <div class="settings">
      <h1>Your account</h1>
      <p class="muted">
        {me.user?.email} · {me.role}
      </p>
      <TokensSection />
      <PasswordSection />
      <section class="card">
        <h2>Sessions</h2>
        <p class="muted">Signs you out on every browser and device, including this one.</p>
        <button
          type="button"
          onClick={async () => {
            await api('/api/0/auth/sign-out-everywhere/', { method: 'POST' });
            onSignedOut();
          }}
        >
          Sign out everywhere
        </button>
      </section>
    </div>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  return (
    <section class="card">
      <h2>Password</h2>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await api('/api/0/auth/password/', { method: 'PUT', body: { currentPassword: current, newPassword: next } });
            setMessage('Password changed; your other sessions were signed out.');
            setCurrent('');
            setNext('');
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <input type="password" name="current-password" placeholder="Current password" autoComplete="current-password" value={current} onInput={(e) => setCurrent((e.target as HTMLInputElement).value)} />
        <input type="password" name="new-password" placeholder="New password (10+ characters)" autoComplete="new-password" value={next} onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
        <button type="submit">Change password</button>
      </form>
      {message && <p class="muted">{message}</p>}
      {error && <ErrorBox error={error} />}
    </section>
  );
}

function TokensSection() {
  const tokens = useAsync(() => api<PersonalToken[]>('/api/0/auth/tokens/'), []);
  const projects = useAsync(() => api<Project[]>('/api/0/projects/'), []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [projectId, setProjectId] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const projectName = (id: number | null) => (id === null ? 'all your projects' : projects.data?.find((p) => p.id === id)?.name ?? `project ${id}`);
  return (
    <section class="card" data-testid="tokens">
      <h2>Personal API tokens</h2>
      <p class="muted">For scripts, CI and sentry-cli (SENTRY_AUTH_TOKEN). A token acts as you, limited by its scope: read, write (triage), admin.</p>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const scopes = scope === 'admin' ? ['read', 'write', 'admin'] : scope === 'write' ? ['read', 'write'] : ['read'];
            const answer = await api<{ token: string }>('/api/0/auth/tokens/', { method: 'POST', body: { name: name.trim(), scopes, projectId: projectId ? Number(projectId) : null } });
            setCreated(answer.token);
            setName('');
            tokens.reload();
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <input name="token-name" placeholder="Name, e.g. GitHub Actions" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <select name="token-scope" aria-label="Scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value)}>
          <option value="read">read</option>
          <option value="write">write</option>
          <option value="admin">admin</option>
        </select>
        <select name="token-project" aria-label="Project" value={projectId} onChange={(e) => setProjectId((e.target as HTMLSelectElement).value)}>
          <option value="">All my projects</option>
          {(projects.data ?? []).map((p) => (
            <option value={String(p.id)}>{p.name}</option>
          ))}
        </select>
        <button type="submit" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {created && (
        <div class="notice">
          <p>Copy this token now: it is not shown again.</p>
          <pre class="code" data-testid="new-token">{created}</pre>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {tokens.loading && !tokens.data ? (
        <Loading />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Projects</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data ?? []).map((t) => (
              <tr data-token-id={t.id}>
                <td>{t.name}</td>
                <td>{t.scopes.join(', ')}</td>
                <td>{projectName(t.projectId)}</td>
                <td>{t.lastUsedAt ? ago(t.lastUsedAt) : 'never'}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    onClick={async () => {
                      if (!confirm(`Revoke the token "${t.name}"? Anything using it stops working at once.`)) return;
                      await api(`/api/0/auth/tokens/${t.id}/`, { method: 'DELETE' });
                      tokens.reload();
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
