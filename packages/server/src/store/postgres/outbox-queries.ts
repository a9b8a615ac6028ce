import { sql, type Kysely, type Selectable } from 'kysely';
import { OUTBOX_LEASE_MS, type AlertAction, type DeliveryAttempt, type OutboxEntry, type OutboxStatus } from '../alert-types.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

function toEntry(r: Selectable<Tables['alert_outbox']>): OutboxEntry {
  return {
    id: Number(r.id),
    ruleId: r.rule_id,
    projectId: r.project_id,
    issueId: r.issue_id,
    action: JSON.parse(r.action) as AlertAction,
    message: JSON.parse(r.message) as unknown,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    createdAt: Number(r.created_at),
    nextAttemptAt: Number(r.next_attempt_at),
  };
}

/** The notification outbox and its delivery log, shared by every process's delivery worker. */
export class OutboxQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Claims due entries with a lease in one statement: SKIP LOCKED passes over rows another
   * process is claiming at this moment, and the claimed rows' next attempt moves past the lease,
   * so a second worker's claim (now or until the lease ends) does not see them.
   */
  async dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await sql<Selectable<Tables['alert_outbox']>>`
      UPDATE alert_outbox o SET next_attempt_at = ${now + OUTBOX_LEASE_MS}::bigint
      WHERE o.id IN (
        SELECT id FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ${now}::bigint
        ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING o.*`.execute(this.db);
    return rows.map(toEntry).sort((a, b) => a.id - b.id);
  }

  /** Several results in one transaction (each entry is leased to one worker, so workers touch disjoint rows). */
  async recordDeliveryAttempts(
    results: Array<{ attempt: Omit<DeliveryAttempt, 'at'> & { at: number }; outcome: { status: OutboxStatus; nextAttemptAt: number } }>,
  ): Promise<void> {
    if (results.length === 0) return;
    const sorted = results;
    const a = sorted.map((r) => r.attempt);
    const o = sorted.map((r) => r.outcome);
    await this.db.transaction().execute(async (tx) => {
      await sql`UPDATE alert_outbox SET attempts = alert_outbox.attempts + 1, status = d.status, next_attempt_at = d.next_at, finished_at = d.finished_at
        FROM unnest(${a.map((x) => x.outboxId)}::bigint[], ${o.map((x) => x.status)}::text[], ${o.map((x) => x.nextAttemptAt)}::bigint[],
          ${sorted.map((r) => (r.outcome.status === 'pending' ? null : r.attempt.at))}::bigint[]) AS d(id, status, next_at, finished_at)
        WHERE alert_outbox.id = d.id`.execute(tx);
      await sql`INSERT INTO alert_attempts (outbox_id, rule_id, at, action_type, target, ok, response_code, error, duration_ms)
        SELECT * FROM unnest(${a.map((x) => x.outboxId)}::bigint[], ${a.map((x) => x.ruleId)}::int[], ${a.map((x) => x.at)}::bigint[],
          ${a.map((x) => x.actionType)}::text[], ${a.map((x) => x.target)}::text[], ${a.map((x) => x.ok)}::boolean[],
          ${a.map((x) => x.responseCode)}::int[], ${a.map((x) => x.error)}::text[], ${a.map((x) => Math.round(x.durationMs))}::int[])`.execute(tx);
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
      outboxId: Number(r.outbox_id),
      ruleId: r.rule_id,
      at: iso(Number(r.at)),
      actionType: r.action_type as AlertAction['type'],
      target: r.target,
      ok: r.ok,
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
