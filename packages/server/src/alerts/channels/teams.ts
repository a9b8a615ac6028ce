import type { HookAction } from './types.js';
import { facts, headline, type AlertMessage } from '../message.js';
import { postAndClassify } from './http-result.js';
import type { Channel } from './types.js';

/** An Adaptive Card in the message envelope Teams workflow webhooks (and Power Automate) accept. */
export function teamsPayload(m: AlertMessage) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: headline(m), weight: 'Bolder', wrap: true },
            { type: 'FactSet', facts: facts(m).map(([title, value]) => ({ title, value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open issue', url: m.url }],
        },
      },
    ],
  };
}

export const sendTeams: Channel<HookAction> = (action, message, context) =>
  postAndClassify(action.url, teamsPayload(message), {}, context.allowPrivate);
