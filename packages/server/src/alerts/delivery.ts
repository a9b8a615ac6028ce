import type { OutboxEntry } from '../store/alert-types.js';
import type { Store } from '../store/types.js';
import { sendNotification } from './channels/index.js';
import { targetOf, type ChannelContext } from './channels/types.js';
import type { AlertMessage } from './message.js';

export interface DeliverySettings {
  allowPrivate: boolean;
  smtpUrl?: string | null;
  emailFrom?: string | null;
  /** A notification that still fails this long after it was decided is given up (status failed). */
  giveUpAfterMs: number;
  /** Told of every attempt (the /metrics counter of notification deliveries). */
  onAttempt?: (channel: string, ok: boolean) => void;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/** 1 s, 2 s, 4 s, ... up to 5 min between attempts. */
export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Sends what the outbox holds and records every attempt. An entry is marked delivered only after
 * the receiver accepted it; one sent whose answer was lost to a crash is sent again after restart,
 * with the same delivery id (X-Proliferate-Delivery) so the receiver can tell.
 */
export class OutboxWorker {
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly settings: DeliverySettings,
  ) {}

  async runOnce(now = Date.now()): Promise<number> {
    const due = (await this.store.dueOutbox(now, 20)).filter((e) => !this.inFlight.has(e.id));
    for (const entry of due) this.inFlight.add(entry.id);
    try {
      // Recorded together when the pass is done (one write transaction); a crash in between sends
      // the pass's notifications again, with their delivery ids.
      await this.store.recordDeliveryAttempts(await Promise.all(due.map((entry) => this.deliver(entry))));
    } finally {
      for (const entry of due) this.inFlight.delete(entry.id);
    }
    return due.length;
  }

  private async deliver(entry: OutboxEntry) {
    const context: ChannelContext = { ...this.settings, deliveryId: entry.id };
    const started = performance.now();
    const result = await sendNotification(entry.action, entry.message as AlertMessage, context);
    const at = Date.now();
    this.settings.onAttempt?.(entry.action.type, result.ok);
    const attempts = entry.attempts + 1;
    const givingUp = !result.ok && (!result.retryable || at - entry.createdAt + backoffMs(attempts) > this.settings.giveUpAfterMs);
    return {
      attempt: {
        outboxId: entry.id,
        ruleId: entry.ruleId,
        at,
        actionType: entry.action.type,
        target: targetOf(entry.action),
        ok: result.ok,
        responseCode: result.responseCode,
        error: result.error,
        durationMs: performance.now() - started,
      },
      outcome: {
        status: result.ok ? ('delivered' as const) : givingUp ? ('failed' as const) : ('pending' as const),
        nextAttemptAt: result.ok || givingUp ? at : at + backoffMs(attempts),
      },
    };
  }
}
