import { api, isMissingEndpoint, qs } from './api.js';
import type { IssueStatus } from './types.js';

/** Bulk status change; falls back to one request per issue while the bulk endpoint is missing. */
export async function setStatus(projectId: string | number, ids: number[], status: IssueStatus): Promise<void> {
  if (ids.length === 0) return;
  try {
    await api(`/api/0/projects/${encodeURIComponent(String(projectId))}/issues/${qs({ id: ids })}`, { method: 'PUT', body: { status } });
    return;
  } catch (error) {
    if (!isMissingEndpoint(error)) throw error;
  }
  await Promise.all(ids.map((id) => api(`/api/0/issues/${id}/`, { method: 'PUT', body: { status } })));
}
