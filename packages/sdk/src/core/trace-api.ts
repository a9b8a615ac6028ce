/**
 * Trace tags and trace search after the fact (seed 004), as MLflow's `set_trace_tag`,
 * `delete_trace_tag` and `search_traces` offer them, against the server of the DSN.
 *
 * These are explicit calls to the query API, not capture paths: they need an API token
 * (`init({ apiToken })` or `PROLIFERATE_API_TOKEN`) and reject with a ProliferateApiError when
 * the server refuses or cannot be reached, so a script knows its tag did not land.
 */
import { getClient } from './api.js';

/** The query API refused the request (`status`, `code` from its JSON error), or none was made (`status` 0). */
export class ProliferateApiError extends Error {
  override name = 'ProliferateApiError';
  constructor(
    message: string,
    readonly status = 0,
    readonly code = 'client_error',
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What MLflow calls `trace.info`. */
export interface TraceInfo {
  traceId: string;
  projectId: number;
  name: string | null;
  status: 'OK' | 'ERROR' | 'UNSET';
  timestamp: string;
  timestampMs: number;
  executionTimeMs: number | null;
  spanCount: number;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

export interface Trace {
  info: TraceInfo;
}

export interface SearchTracesOptions {
  /** MLflow's filter string (docs/traces.md, "Grammar"), e.g. `tags.env = 'production' AND status = 'ERROR'`. */
  filterString?: string;
  /** One field and direction: `['timestamp_ms DESC']` (the default). */
  orderBy?: string[] | string;
  /** Default 100; pages are fetched until it is reached. */
  maxResults?: number;
}

const PAGE_LIMIT = 1000;
const TIMEOUT_MS = 10_000;

function target(): { base: string; projectId: string; token: string } {
  const client = getClient();
  const ingest = client?.target;
  if (!client || !ingest) throw new ProliferateApiError('no DSN: call init({ dsn }) before setTraceTag / searchTraces');
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const token = client.options.apiToken ?? env?.PROLIFERATE_API_TOKEN;
  if (!token) {
    throw new ProliferateApiError(
      'no API token: pass init({ apiToken }) or set PROLIFERATE_API_TOKEN (the DSN\'s public key only sends events; create a token with `proliferate token create`)',
    );
  }
  const base = ingest.url.replace(/\/api\/[^/]+\/envelope\/?(\?.*)?$/, '');
  return { base, projectId: ingest.projectId, token };
}

async function request(method: string, path: string, body?: unknown): Promise<{ json: unknown; headers: Headers }> {
  const { base, token } = target();
  let response: Response;
  try {
    response = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProliferateApiError(`${method} ${path}: ${(error as Error).message}`, 0, 'network_error');
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = ((json as { error?: Record<string, unknown> } | null)?.error ?? {}) as Record<string, unknown>;
    const message = typeof error.message === 'string' ? error.message : `HTTP ${response.status}`;
    throw new ProliferateApiError(`${method} ${path}: ${message}`, response.status, typeof error.code === 'string' ? error.code : 'http_error', error);
  }
  return { json, headers: response.headers };
}

function tracePath(traceId: string, key: string): string {
  if (typeof traceId !== 'string' || !traceId) throw new ProliferateApiError('traceId must be a non-empty string', 0, 'invalid_argument');
  const { projectId } = target();
  return `/api/0/traces/${encodeURIComponent(traceId)}/tags/${encodeURIComponent(String(key))}?project=${encodeURIComponent(projectId)}`;
}

/** Sets (adds or replaces) a tag on a trace of the DSN's project; the server applies the tag rules. */
export async function setTraceTag(traceId: string, key: string, value: unknown): Promise<void> {
  await request('PUT', tracePath(traceId, key), { value });
}

/** Deletes a tag of a trace; a trace without that tag rejects with status 404. */
export async function deleteTraceTag(traceId: string, key: string): Promise<void> {
  await request('DELETE', tracePath(traceId, key));
}

/** Traces of the DSN's project matching the filter, in `orderBy` order, at most `maxResults`. */
export async function searchTraces(options: SearchTracesOptions = {}): Promise<Trace[]> {
  const orderBy = typeof options.orderBy === 'string' ? [options.orderBy] : options.orderBy;
  if (orderBy && orderBy.length > 1) throw new ProliferateApiError("orderBy takes one field and direction, e.g. ['timestamp_ms DESC']", 0, 'invalid_argument');
  const wanted = options.maxResults ?? 100;
  if (!Number.isInteger(wanted) || wanted < 1) throw new ProliferateApiError('maxResults must be a whole number of at least 1', 0, 'invalid_argument');
  const { projectId } = target();
  const results: Trace[] = [];
  let cursor: string | null = null;
  while (results.length < wanted) {
    const params = new URLSearchParams({ max_results: String(Math.min(PAGE_LIMIT, wanted - results.length)) });
    if (options.filterString) params.set('filter', options.filterString);
    if (orderBy?.[0]) params.set('order_by', orderBy[0]);
    if (cursor) params.set('page_token', cursor);
    const { json, headers } = await request('GET', `/api/0/projects/${encodeURIComponent(projectId)}/traces/?${params}`);
    const page = Array.isArray(json) ? (json as TraceInfo[]) : [];
    for (const info of page) results.push({ info });
    cursor = headers.get('x-next-cursor');
    if (!cursor || page.length === 0) break;
  }
  return results.slice(0, wanted);
}
