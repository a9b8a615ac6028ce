import { useState } from 'preact/hooks';
import { api, ApiError, setToken } from '../api.js';
import { useAsync } from '../hooks.js';

interface AuthConfig {
  setupNeeded: boolean;
  sso: { label: string } | null;
  passwordReset: 'email' | 'cli';
}

function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error-box" role="alert">
      {error}
    </p>
  ) : null;
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const config = useAsync(() => api<AuthConfig>('/api/0/auth/config/'), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(new URLSearchParams(location.search).get('error'));
  const [busy, setBusy] = useState(false);
  const [resetSent, setResetSent] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/0/auth/sign-in/', { method: 'POST', body: { email: email.trim(), password } });
      setPassword('');
      if (location.pathname === '/sign-in') history.replaceState(null, '', '/');
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function forgot() {
    setError(null);
    if (!email.trim()) return setError('Type your e-mail address first.');
    try {
      await api('/api/0/auth/password-reset/', { method: 'POST', body: { email: email.trim() } });
      setResetSent('If this address has an account, a reset link is on its way.');
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div class="signin">
      <form class="card signin-card" onSubmit={submit} data-testid="password-form">
        <h1>Proliferate</h1>
        {config.data?.setupNeeded && <p class="muted">No one has an account yet: open the owner set-up link the server printed on its first start.</p>}
        <label class="field">
          <span>E-mail</span>
          <input type="email" name="email" autoComplete="username" autoFocus value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <ErrorLine error={error} />
        {resetSent && <p class="muted">{resetSent}</p>}
        <button class="primary" type="submit" disabled={busy || !email || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {config.data?.sso && (
          <a class="button sso-button" href="/api/0/auth/oidc/start" data-testid="sso">
            Sign in with {config.data.sso.label}
          </a>
        )}
        {config.data?.passwordReset === 'email' ? (
          <button type="button" class="link-button" onClick={() => void forgot()}>
            Forgot your password?
          </button>
        ) : (
          <p class="muted small-text">Forgot your password? An administrator resets it with "proliferate user set-password".</p>
        )}
      </form>
      <TokenSignIn onSignedIn={onSignedIn} />
    </div>
  );
}

/** For automation and the server's first admin token: an API token kept in this tab (or device). */
function TokenSignIn({ onSignedIn }: { onSignedIn: () => void }) {
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
    <form class="card signin-card token-form" onSubmit={submit}>
      <p class="muted">Or use an API token (the server prints one on its first start; make more with)</p>
      <pre class="code">npx proliferate token create</pre>
      <label class="field">
        <span>API token</span>
        <input type="password" name="token" autoComplete="off" value={token} onInput={(e) => setTokenText((e.target as HTMLInputElement).value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember((e.target as HTMLInputElement).checked)} />
        Remember on this device (otherwise only for this tab)
      </label>
      <ErrorLine error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in with token'}
      </button>
    </form>
  );
}
