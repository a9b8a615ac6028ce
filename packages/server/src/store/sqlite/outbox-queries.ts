import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { AlertAction, DeliveryAttempt, OutboxEntry, OutboxStatus } from '../alert-types.js';
import type { Tables } from './tables.js';
import type { AlertWriteTask, DeliveryResult, OutboxRow } from './write-path/alert-writes.js';

const iso = (ms: number) => new Date(ms).toISOString();

function toEntry(r: Selectable<Tables['alert_outbox']> | OutboxRow): OutboxEntry {
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
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly connection: Database.Database,
    /** The write transactions: on the writer thread when the store has one (alert-writes.ts). */
    private readonly write: (task: AlertWriteTask) => Promise<unknown>,
  ) {}

  /**
   * Claims with a lease (alert-types.ts), in one synchronous transaction on the writer thread when
   * the store has one (alert-writes.ts), so two workers of this process never take one entry. The
   * write transaction (and the write lock the ingest writer needs) is taken only when something is
   * due, not on every poll: the check is a read here.
   */
  async dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    this.anyDue ??= this.connection.prepare(`SELECT 1 FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1`);
    if (this.anyDue.get(now) === undefined) return [];
    const rows = (await this.write({ op: 'claimOutbox', now, limit })) as OutboxRow[];
    return rows.map(toEntry);
  }

  private anyDue?: Database.Statement;

  /** One synchronous transaction, for the reason given at AlertQueries.commitAlertEvaluation. */
  async recordDeliveryAttempts(results: DeliveryResult[]): Promise<void> {
    if (results.length > 0) await this.write({ op: 'recordAttempts', results });
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
