import type { AlertAction } from '../../store/alert-types.js';
import type { AlertMessage } from '../message.js';
import { sendDiscord } from './discord.js';
import { sendEmail } from './email.js';
import { sendSlack } from './slack.js';
import { sendTeams } from './teams.js';
import type { ChannelContext, ChannelResult } from './types.js';
import { sendWebhook } from './webhook.js';

export function sendNotification(action: AlertAction, message: AlertMessage, context: ChannelContext): Promise<ChannelResult> {
  switch (action.type) {
    case 'email':
      return sendEmail(action, message, context);
    case 'webhook':
      return sendWebhook(action, message, context);
    case 'slack':
      return sendSlack({ type: 'slack', url: action.url }, message, context);
    case 'discord':
      return sendDiscord({ type: 'discord', url: action.url }, message, context);
    case 'teams':
      return sendTeams({ type: 'teams', url: action.url }, message, context);
  }
}
