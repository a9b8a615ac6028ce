/**
 * Pages opened from a one-time link: creating the owner (printed on the first start), accepting an
 * invitation, setting a new password. The link's secret is in the URL fragment, which the browser
 * never sends to the server; the page posts it in a JSON body.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAsync } from '../hooks.js';

const linkToken = () => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';

function PasswordForm(props: {
  title: string;
  intro: string;
  askEmail?: boolean;
  askName?: boolean;
  submitLabel: string;
  onSubmit: (fields: { email: string; name: string; password: string }) => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (password !== repeat) return setError('The two passwords differ.');
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit({ email: email.trim(), name: name.trim(), password });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <h1>{props.title}</h1>
        <p class="muted">{props.intro}</p>
        {props.askEmail && (
          <label class="field">
            <span>E-mail</span>
            <input type="email" name="email" autoComplete="username" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {props.askName && (
          <label class="field">
            <span>Name</span>
            <input name="name" autoComplete="name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
        )}
        <label class="field">
          <span>Password (at least 10 characters)</span>
          <input type="password" name="new-password" autoComplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>Password again</span>
          <input type="password" name="repeat-password" autoComplete="new-password" value={repeat} onInput={(e) => setRepeat((e.target as HTMLInputElement).value)} />
        </label>
        {error && (
          <p class="error-box" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {props.submitLabel}
        </button>
      </form>
    </div>
  );
}

const goHome = () => location.replace('/');

export function SetupOwnerPage() {
  return (
    <PasswordForm
      title="Create the owner"
      intro="This account owns this Proliferate server: it manages people, projects and settings."
      askEmail
      askName
      submitLabel="Create owner and sign in"
      onSubmit={async (f) => {
        await api('/api/0/auth/setup/', { method: 'POST', body: { token: linkToken(), email: f.email, name: f.name, password: f.password } });
        goHome();
      }}
    />
  );
}

export function AcceptInvitePage() {
  const token = linkToken();
  const invitation = useAsync(() => api<{ email: string; role: string }>('/api/0/auth/invitation/', { method: 'POST', body: { token } }), [token]);
  if (invitation.error) {
    return (
      <div class="signin">
        <div class="card signin-card">
          <h1>Invitation</h1>
          <p class="error-box">{invitation.error.message}</p>
        </div>
      </div>
    );
  }
  if (!invitation.data) return null;
  return (
    <PasswordForm
      title="Join Proliferate"
      intro={`You are invited as ${invitation.data.role}, with the address ${invitation.data.email}.`}
      askName
      submitLabel="Create account and sign in"
      onSubmit={async (f) => {
        await api('/api/0/auth/accept-invite/', { method: 'POST', body: { token, name: f.name, password: f.password } });
        goHome();
      }}
    />
  );
}

export function ResetPasswordPage() {
  return (
    <PasswordForm
      title="New password"
      intro="Choose a new password. Every session of your account ends; sign in again afterwards."
      submitLabel="Set password"
      onSubmit={async (f) => {
        await api('/api/0/auth/password-reset/complete/', { method: 'POST', body: { token: linkToken(), password: f.password } });
        goHome();
      }}
    />
  );
}
