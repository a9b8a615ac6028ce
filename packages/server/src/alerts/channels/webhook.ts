import { createHmac } from 'node:crypto';
import type { AlertAction } from '../../store/alert-types.js';
import { postAndClassify } from './http-result.js';
import type { Channel } from './types.js';

/** `sha256=` + hex HMAC-SHA256 of the exact body bytes with the action's secret (docs/alerts.md). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The generic webhook: the message as JSON, signed, with a delivery id that stays the same on retries. */
export const sendWebhook: Channel<Extract<AlertAction, { type: 'webhook' }>> = (action, message, context) => {
  const body = JSON.stringify({ deliveryId: context.deliveryId, ...message });
  return postAndClassify(
    action.url,
    body,
    { 'x-proliferate-signature': signBody(action.secret, body), 'x-proliferate-delivery': String(context.deliveryId) },
    context.allowPrivate,
  );
};
