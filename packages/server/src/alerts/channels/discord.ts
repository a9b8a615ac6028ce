import type { HookAction } from './types.js';
import { facts, headline, type AlertMessage } from '../message.js';
import { postAndClassify } from './http-result.js';
import type { Channel } from './types.js';

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const LEVEL_COLORS: Record<string, number> = { fatal: 0x8b0000, error: 0xe03e2f, warning: 0xf2a900, info: 0x2f80ed };

/** An embed within Discord's limits; mentions are disabled so event text cannot ping anyone. */
export function discordPayload(m: AlertMessage) {
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: cut(headline(m), 256),
        url: m.url,
        color: LEVEL_COLORS[m.issue?.level ?? ''] ?? 0x888888,
        fields: facts(m).slice(0, 25).map(([name, value]) => ({ name: cut(name, 256), value: cut(value || '-', 1024), inline: true })),
      },
    ],
  };
}

export const sendDiscord: Channel<HookAction> = (action, message, context) =>
  postAndClassify(action.url, discordPayload(message), {}, context.allowPrivate);
