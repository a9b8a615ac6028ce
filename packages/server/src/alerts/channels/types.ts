import type { AlertAction } from '../../store/alert-types.js';
import type { AlertMessage } from '../message.js';

export interface ChannelContext {
  allowPrivate: boolean;
  smtpUrl?: string | null;
  emailFrom?: string | null;
  /** The outbox id: the same on every retry, so a receiver can drop a duplicate. */
  deliveryId: number;
}

export interface ChannelResult {
  ok: boolean;
  responseCode: number | null;
  error: string | null;
  /** False when retrying cannot help (the receiver rejected the request itself). */
  retryable: boolean;
}

export type Channel<A extends AlertAction = AlertAction> = (action: A, message: AlertMessage, context: ChannelContext) => Promise<ChannelResult>;

/** Where a notification goes, for the delivery log (never a webhook's secret path in full). */
export function targetOf(action: AlertAction): string {
  if (action.type === 'email') return action.to.join(', ');
  const url = new URL(action.url);
  return `${url.protocol}//${url.host}${url.pathname.length > 24 ? `${url.pathname.slice(0, 24)}…` : url.pathname}`;
}

/** Slack, Discord and Teams actions: a URL and a platform-specific body. */
export type HookAction = { type: 'slack' | 'discord' | 'teams'; url: string };
