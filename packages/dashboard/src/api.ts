/**
 * The API client. The token lives in sessionStorage (this tab) or, when the user asks to be
 * remembered, localStorage; it is only ever sent in the Authorization header, never in a URL.
 */
import type { Page } from './types.js';

const TOKEN_KEY = 'proliferate.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string, remember: boolean): void {
  clearToken();
  (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}

/**
 * Forgets the stored token after a 401, but only if it is still the one that request carried. A
 * 401 can arrive after a token was stored (a sign-in in another tab sharing localStorage, or a page
 * that stored one while its first, tokenless /auth/me/ was in flight): wiping that newer token
 * signed the user out of a session that was valid (the replay e2e test's event page fell to the
 * sign-in form this way under load). Returns whether the token was forgotten.
 */
export function clearTokenIfSent(sent: string | null): boolean {
  if (getToken() !== sent) return false;
  clearToken();
  return true;
}

/**
 * The signed-in session's CSRF token (from /api/0/auth/me/ or sign-in), sent on every write that
 * the session cookie authenticates. Kept in memory only.
 */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Any other fields of the error body, e.g. `position` for a query syntax error. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Called on any 401, so the app can send the user back to sign-in. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Response> {
  const token = init.token ?? getToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  else if (csrfToken && init.method && init.method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) {
    let code = 'http_error';
    let message = `${response.status} ${response.statusText}`;
    let details: Record<string, unknown> = {};
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } & Record<string, unknown> };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
      details = body.error ?? {};
    } catch {
      // not JSON: keep the status line
    }
    if (response.status === 401 && !init.token && !path.startsWith('/api/0/auth/') && getToken() === token) onUnauthorized();
    throw new ApiError(response.status, code, message, details);
  }
  return response;
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<T> {
  const response = await request(path, init);
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as T;
}

export async function apiPage<T>(path: string): Promise<Page<T>> {
  const response = await request(path);
  const items = (await response.json()) as T[];
  return { items, nextCursor: response.headers.get('x-next-cursor') };
}

/**
 * Endpoints that are still being added answer the server's "No route for ..." 404 (or 405 / 501);
 * callers treat those as "not offered" and degrade. A 404 about a missing record is a real error.
 */
export function isMissingEndpoint(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 405 || error.status === 501) return true;
  return error.status === 404 && /^No route for /.test(error.message);
}

export function qs(params: Record<string, string | number | undefined | null | (string | number)[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
