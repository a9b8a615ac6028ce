import type { Kysely, Selectable } from 'kysely';
import type { AlertAction, DeliveryAttempt, OutboxEntry, OutboxStatus } from '../alert-types.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

function toEntry(r: Selectable<Tables['alert_outbox']>): OutboxEntry {
  return {
    id: r.id,
    ruleId: r.rule_id,
    projectId: r.project_id,
    issueId: r.issue_id,
    action: JSON.parse(r.action) as AlertAction,
    message: JSON.parse(r.message) as unknown,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
  };
}

/** The notification outbox and its delivery log. */
export class OutboxQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db
      .selectFrom('alert_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async recordDeliveryAttempt(
    attempt: Omit<DeliveryAttempt, 'at'> & { at: number },
    outcome: { status: OutboxStatus; nextAttemptAt: number },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('alert_outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          status: outcome.status,
          next_attempt_at: outcome.nextAttemptAt,
          finished_at: outcome.status === 'pending' ? null : attempt.at,
        }))
        .where('id', '=', attempt.outboxId)
        .execute();
      await trx
        .insertInto('alert_attempts')
        .values({
          outbox_id: attempt.outboxId,
          rule_id: attempt.ruleId,
          at: attempt.at,
          action_type: attempt.actionType,
          target: attempt.target,
          ok: attempt.ok ? 1 : 0,
          response_code: attempt.responseCode,
          error: attempt.error,
          duration_ms: Math.round(attempt.durationMs),
        })
        .execute();
    });
  }

  async deliveryLog(ruleId: number, limit: number): Promise<Array<DeliveryAttempt & { status: OutboxStatus }>> {
    const rows = await this.db
      .selectFrom('alert_attempts as a')
      .innerJoin('alert_outbox as o', 'o.id', 'a.outbox_id')
      .select(['a.outbox_id', 'a.rule_id', 'a.at', 'a.action_type', 'a.target', 'a.ok', 'a.response_code', 'a.error', 'a.duration_ms', 'o.status'])
      .where('a.rule_id', '=', ruleId)
      .orderBy('a.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      outboxId: r.outbox_id,
      ruleId: r.rule_id,
      at: iso(r.at),
      actionType: r.action_type as AlertAction['type'],
      target: r.target,
      ok: r.ok === 1,
      responseCode: r.response_code,
      error: r.error,
      durationMs: r.duration_ms,
      status: r.status as OutboxStatus,
    }));
  }

  async outboxForRule(ruleId: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.selectFrom('alert_outbox').selectAll().where('rule_id', '=', ruleId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }
}
