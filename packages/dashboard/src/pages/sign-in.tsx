import { useState } from 'preact/hooks';
import { api, ApiError, setToken } from '../api.js';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setTokenText] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      await api('/api/0/projects/', { token: value });
      setToken(value, remember);
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <h1>Proliferate</h1>
        <p class="muted">Sign in with an API token. The server prints one on its first start; make more with</p>
        <pre class="code">npx proliferate token create</pre>
        <label class="field">
          <span>API token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            autoFocus
            value={token}
            onInput={(e) => setTokenText((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember((e.target as HTMLInputElement).checked)} />
          Remember on this device (otherwise only for this tab)
        </label>
        {error && (
          <p class="error-box" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
