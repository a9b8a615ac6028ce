/**
 * Where events go. Either a DSN (`https://<publicKey>@host[:port][/path]/<projectId>`) or an
 * `endpoint` (the server's base URL) with an `apiKey` and optional `projectId`.
 */

export interface IngestTarget {
  /** The envelope URL, key in the query string so no preflight header is needed in browsers. */
  url: string;
  publicKey: string;
  projectId: string;
  dsn?: string;
}

export function parseDsn(dsn: string): IngestTarget | undefined {
  const match = /^(https?):\/\/([^:@/]+)(?::[^@/]*)?@([^/]+)(\/.*)?\/([^/?#]+)\/?$/.exec(dsn.trim());
  if (!match) return undefined;
  const [, protocol, publicKey, host, path = '', projectId] = match;
  return {
    url: `${protocol}://${host}${path}/api/${projectId}/envelope/?sentry_key=${encodeURIComponent(publicKey!)}&sentry_version=7`,
    publicKey: publicKey!,
    projectId: projectId!,
    dsn,
  };
}

export function targetFromOptions(options: { dsn?: string; endpoint?: string; apiKey?: string; projectId?: string | number }): IngestTarget | undefined {
  if (options.dsn) return parseDsn(options.dsn);
  if (options.endpoint && options.apiKey) {
    const base = options.endpoint.replace(/\/+$/, '');
    // A full envelope URL is used as given; a base URL gets the ingest path of the project.
    const projectId = String(options.projectId ?? /\/api\/([^/]+)\/envelope/.exec(base)?.[1] ?? '1');
    const path = /\/envelope$/.test(base) ? `${base}/` : `${base}/api/${projectId}/envelope/`;
    return {
      url: `${path}?sentry_key=${encodeURIComponent(options.apiKey)}&sentry_version=7`,
      publicKey: options.apiKey,
      projectId,
    };
  }
  return undefined;
}
