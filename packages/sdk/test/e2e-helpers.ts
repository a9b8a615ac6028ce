/** Shared by the end-to-end tests: polling the real server's query API. */
import type { RunningServer } from '../../../tests/helpers/server.js';

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface ApiIssue {
  id: string | number;
  title: string;
  culprit?: string;
  count: number;
  fingerprint?: string;
}

export interface ApiEvent {
  eventId: string;
  tags: Record<string, string>;
  breadcrumbs: Array<{ category?: string; message?: string; data?: Record<string, unknown> }>;
  traceId: string | null;
  sessionId: string | null;
  windowId: string | null;
  request?: { method?: string; url?: string; headers?: Record<string, string> };
  exception?: { values: Array<{ type: string; value: string; stacktrace?: { frames: Array<Record<string, unknown>> } }> };
  extra: Record<string, unknown>;
  user: Record<string, unknown> | null;
  contexts: Record<string, Record<string, unknown>>;
  processingErrors: Array<Record<string, unknown>>;
}

/** The issue whose title contains `text`, once it has at least `count` events. */
export async function issueWithCount(server: RunningServer, text: string, count: number): Promise<ApiIssue> {
  let seen: ApiIssue[] = [];
  try {
    return await waitFor(`an issue "${text}" with ${count} events`, async () => {
      const { status, body } = await server.api<ApiIssue[]>(`/api/0/projects/${server.projectId}/issues/?limit=100`);
      if (status !== 200) throw new Error(`issues: ${status}`);
      seen = body;
      const issue = body.find((i) => i.title.includes(text));
      return issue && issue.count >= count ? issue : undefined;
    });
  } catch (error) {
    const summary = seen.map((i) => `${i.title} (${i.count})`).join('; ');
    throw new Error(`${(error as Error).message}; issues: ${summary}`);
  }
}

export async function issueEvents(server: RunningServer, issueId: string | number): Promise<ApiEvent[]> {
  const { body: list } = await server.api<Array<{ eventId: string }>>(`/api/0/issues/${issueId}/events/?limit=100`);
  return Promise.all(
    list.map(async ({ eventId }) => (await server.api<ApiEvent>(`/api/0/projects/${server.projectId}/events/${eventId}/`)).body),
  );
}

/** The issues whose titles start with `prefix`, once their counts add up to `total`. */
export function issuesTotalling(server: RunningServer, prefix: string, total: number): Promise<ApiIssue[]> {
  return waitFor(`issues "${prefix}" totalling ${total} events`, async () => {
    const { body } = await server.api<ApiIssue[]>(`/api/0/projects/${server.projectId}/issues/?limit=100`);
    const matching = body.filter((i) => i.title.startsWith(prefix));
    return matching.reduce((sum, i) => sum + i.count, 0) >= total ? matching : undefined;
  });
}
