import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertAction } from '../../store/alert-types.js';
import { facts, headline, type AlertMessage } from '../message.js';
import type { Channel } from './types.js';

const transports = new Map<string, Transporter>();

/** Plain text only: event data is never rendered as HTML. */
export function emailText(m: AlertMessage): string {
  const width = Math.max(...facts(m).map(([label]) => label.length));
  return [headline(m), '', ...facts(m).map(([label, value]) => `${label.padEnd(width)}  ${value}`), '', m.url, ''].join('\n');
}

export const sendEmail: Channel<Extract<AlertAction, { type: 'email' }>> = async (action, message, context) => {
  if (!context.smtpUrl || !context.emailFrom) {
    return { ok: false, responseCode: null, error: 'e-mail is not configured: set PROLIFERATE_SMTP_URL and PROLIFERATE_EMAIL_FROM', retryable: true };
  }
  let transport = transports.get(context.smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport(context.smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
    transports.set(context.smtpUrl, transport);
  }
  try {
    const info = await transport.sendMail({
      from: context.emailFrom,
      to: action.to,
      subject: headline(message),
      text: emailText(message),
      headers: { 'X-Proliferate-Delivery': String(context.deliveryId) },
    });
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
    return { ok: true, responseCode: code, error: null, retryable: false };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode ?? null;
    // 5xx from the SMTP server is a permanent rejection (bad recipient, policy); anything else may pass later.
    return { ok: false, responseCode: code, error: (error as Error).message.slice(0, 500), retryable: code === null || code < 500 };
  }
};
