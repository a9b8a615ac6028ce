import type { HookAction } from './types.js';
import { facts, headline, type AlertMessage } from '../message.js';
import { postAndClassify } from './http-result.js';
import type { Channel } from './types.js';

/** Slack mrkdwn treats &, < and > as markup: event text is escaped so it stays text. */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackPayload(m: AlertMessage) {
  const fields = facts(m).slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: cut(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, 2000) }));
  return {
    text: cut(escapeMrkdwn(headline(m)), 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cut(`*<${m.url}|${escapeMrkdwn(headline(m))}>*`, 3000) } },
      { type: 'section', fields },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open issue' }, url: m.url }] },
    ],
  };
}

export const sendSlack: Channel<HookAction> = (action, message, context) =>
  postAndClassify(action.url, slackPayload(message), {}, context.allowPrivate);
