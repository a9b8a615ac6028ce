import { api, isMissingEndpoint, qs } from './api.js';
import type { ProjectTagKey } from './types.js';

const keyCache = new Map<string, Promise<ProjectTagKey[]>>();

/** The project's tag keys, fetched once per page load and project. */
export function projectTagKeys(projectId: string): Promise<ProjectTagKey[]> {
  let cached = keyCache.get(projectId);
  if (!cached) {
    // The first 1,000 keys in key order (the API pages them) are plenty for autocomplete.
    cached = api<ProjectTagKey[]>(`/api/0/projects/${encodeURIComponent(projectId)}/tags/?limit=1000`);
    cached.catch(() => keyCache.delete(projectId));
    keyCache.set(projectId, cached);
  }
  return cached;
}

/**
 * Values seen for a tag key, most frequent first, or null when the server does not offer the
 * values endpoint (callers then let the user type the value).
 */
export async function projectTagValues(projectId: string, key: string, prefix: string, limit = 20): Promise<{ value: string; count: number }[] | null> {
  try {
    return await api<{ value: string; count: number }[]>(
      `/api/0/projects/${encodeURIComponent(projectId)}/tags/${encodeURIComponent(key)}/values/${qs({ query: prefix, limit })}`,
    );
  } catch (error) {
    if (isMissingEndpoint(error)) return null;
    throw error;
  }
}

/** Built-in search keys that are not tags. */
export const SEARCH_KEYS: { key: string; values: string[]; hint: string }[] = [
  { key: 'is', values: ['unresolved', 'resolved', 'ignored', 'regressed'], hint: 'status' },
  { key: 'has', values: [], hint: 'has the tag at all' },
  { key: 'environment', values: [], hint: 'where it ran' },
  { key: 'release', values: [], hint: 'version, * wildcards' },
  { key: 'session_id', values: [], hint: 'one browser or app session' },
  { key: 'window_id', values: [], hint: 'one tab of a session' },
  { key: 'trace_id', values: [], hint: 'one trace (32 hex digits)' },
  { key: 'user.id', values: [], hint: 'one user (also user.email)' },
  { key: 'account.id', values: [], hint: 'one account (also account.name)' },
];
