import type { IncomingHttpHeaders } from 'node:http';

/**
 * The public key a client authenticates with, from wherever real clients put it:
 * `X-Sentry-Auth: Sentry sentry_key=..., sentry_version=7` (server SDKs), the `sentry_key` query
 * parameter (browsers, which avoid custom headers), `Authorization: Sentry ...` (some SDKs) or
 * `Authorization: Bearer <key>` (our SDKs' endpoint + apiKey mode, curl).
 */
export function publicKeyFromRequest(headers: IncomingHttpHeaders, query: Record<string, unknown>): string | undefined {
  const fromQuery = query.sentry_key;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  for (const header of [headers['x-sentry-auth'], headers.authorization]) {
    if (typeof header !== 'string') continue;
    const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1];
    const key = /(?:^|[\s,])sentry_key\s*=\s*([^,\s]+)/i.exec(header);
    if (key) return key[1];
  }
  return undefined;
}

/** A DSN's public key, for envelopes that carry their DSN in the header instead (tunnels). */
export function publicKeyFromDsn(dsn: unknown): { key: string; projectId: string } | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    const url = new URL(dsn);
    const projectId = url.pathname.split('/').filter(Boolean).pop();
    if (!url.username || !projectId) return undefined;
    return { key: decodeURIComponent(url.username), projectId };
  } catch {
    return undefined;
  }
}
