import type { Replay } from '@proliferate/api';

export type { Replay };

/** The replay id an error event carries: tag `replayId` (Sentry SDKs, ours) or contexts.replay. */
export function replayIdOf(event: { tags?: Record<string, string> | null; contexts?: Record<string, unknown> | null }): string | null {
  const fromTag = event.tags?.replayId;
  const context = event.contexts?.replay as { replay_id?: unknown } | undefined;
  const id = typeof fromTag === 'string' ? fromTag : typeof context?.replay_id === 'string' ? context.replay_id : null;
  return id && /^[0-9a-f]{32}$/i.test(id.replace(/-/g, '')) ? id.replace(/-/g, '').toLowerCase() : null;
}

export function userLabel(user: Replay['user']): string {
  return user?.email ?? user?.username ?? user?.id ?? user?.ipAddress ?? '(anonymous)';
}

export function durationText(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export function playerUrl(replayId: string, eventId?: string, projectId?: number): string {
  const params = new URLSearchParams({ replay: replayId });
  if (eventId && projectId !== undefined) {
    params.set('event', eventId);
    params.set('project', String(projectId));
  }
  return `/replay-frame/?${params.toString()}`;
}
