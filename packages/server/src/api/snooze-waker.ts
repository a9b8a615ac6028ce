/**
 * Snoozed issues come back by themselves (docs/triage.md): before any read of issues the due
 * snoozes are woken, so `is:ignored` and `is:unresolved` are right at the moment of the read, and a
 * timer wakes them in between for everything else that reads statuses (alerts, other processes).
 * Waking is one indexed UPDATE over the snoozes table, which holds only snoozed issues.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/types.js';

/** Issue reads: the issue and event lists, one issue and its parts, the organization's issue routes. */
const ISSUE_READ = /^\/api\/0\/(projects\/[^/]+\/(issues|events)\/|issues\/|organizations\/[^/]+\/issues\/)/;
const TIMER_MS = 30_000;

/**
 * Wakes what is due and records each woken issue's status change in its activity history
 * (docs/triage.md), by the server (empty actor), with the reason.
 */
async function wakeAndRecord(store: Store): Promise<void> {
  const woken = await store.wakeSnoozedIssues(null, Date.now());
  if (woken.length === 0) return;
  const entries = [];
  for (const issueId of woken) {
    const issue = await store.getIssue(issueId);
    if (issue) entries.push({ projectId: issue.projectId, issueId, kind: 'status' as const, actorUserId: null, actor: '', data: { status: 'unresolved', reason: 'snooze_ended' } });
  }
  await store.recordActivity(entries);
}

export function wakeSnoozesOnRead(app: FastifyInstance, store: Store): void {
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && ISSUE_READ.test(request.url)) await wakeAndRecord(store);
  });
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    timer = setInterval(() => void wakeAndRecord(store).catch((error) => app.log.warn({ err: error }, 'waking snoozed issues failed')), TIMER_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
