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

/** Merges issues of a project (docs/triage.md); the server keeps the one with the most events. */
export async function mergeIssues(projectId: string | number, ids: number[]): Promise<{ parent: number; children: number[] }> {
  const answer = await api<{ merge: { parent: number; children: number[] } }>(`/api/0/projects/${encodeURIComponent(String(projectId))}/issues/${qs({ id: ids })}`, {
    method: 'PUT',
    body: { merge: 1 },
  });
  return answer.merge;
}
