/**
 * A browser-like client for the account API: keeps the session cookie it is given and sends the
 * session's CSRF token on writes, as the dashboard does.
 */
export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class SessionClient {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly base: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, options: { csrf?: string | null; cookie?: string | null; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = options.cookie === undefined ? this.cookie : options.cookie;
    if (cookie) headers.cookie = cookie;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      if (pair!.startsWith('proliferate_session=')) this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || pair === 'proliferate_session=' ? null : pair!;
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    const answer = { status: response.status, body: parsed as T, headers: response.headers };
    if (answer.status < 300 && (parsed as { csrfToken?: string } | null)?.csrfToken) this.csrf = (parsed as { csrfToken: string }).csrfToken;
    return answer;
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  put = <T = any>(path: string, body?: unknown) => this.request<T>('PUT', path, body ?? {});
  delete = <T = any>(path: string, body?: unknown) => this.request<T>('DELETE', path, body);

  async signIn(email: string, password: string): Promise<Answer> {
    const answer = await this.post('/api/0/auth/sign-in/', { email, password });
    if (answer.status !== 200) throw new Error(`sign-in of ${email} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }
}

/** The secret of a link printed or returned by the server (it is in the fragment: #token=...). */
export const linkToken = (url: string) => new URL(url).hash.replace(/^#token=/, '');

/** Creates the owner through the first-start link and returns the owner's signed-in client. */
export async function createOwner(base: string, setupUrl: string, email = 'owner@example.com', password = 'owner-password-1'): Promise<SessionClient> {
  const client = new SessionClient(base);
  const answer = await client.post('/api/0/auth/setup/', { token: linkToken(setupUrl), email, password, name: 'Olive Owner' });
  if (answer.status !== 201) throw new Error(`owner set-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return client;
}

/** Invites someone as `role` into `projectIds` and accepts the invitation in a new client. */
export async function inviteAndJoin(inviter: SessionClient, email: string, role: string, projectIds: number[], password = `${role}-password-1`): Promise<SessionClient> {
  const invitation = await inviter.post('/api/0/invitations/', { email, role, projectIds });
  if (invitation.status !== 201) throw new Error(`invitation failed: ${invitation.status} ${JSON.stringify(invitation.body)}`);
  const client = new SessionClient(inviter.base);
  const accepted = await client.post('/api/0/auth/accept-invite/', { token: linkToken(invitation.body.url), password, name: email.split('@')[0] });
  if (accepted.status !== 201) throw new Error(`accepting failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return client;
}
