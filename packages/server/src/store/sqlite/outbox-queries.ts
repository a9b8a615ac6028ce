import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import { OUTBOX_LEASE_MS, type AlertAction, type DeliveryAttempt, type OutboxEntry, type OutboxStatus } from '../alert-types.js';
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
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly connection: Database.Database,
  ) {}

  /**
   * Claims with a lease (alert-types.ts). Synchronous, so two workers of this process never take
   * one entry; the write transaction (and the write lock the ingest writer needs) is taken only
   * when something is due, not on every poll.
   */
  dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    this.claim ??= {
      due: this.connection.prepare(
        `SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      lease: this.connection.prepare('UPDATE alert_outbox SET next_attempt_at = ? WHERE id = ?'),
    };
    const { due, lease } = this.claim;
    if (due.all(now, 1).length === 0) return Promise.resolve([]);
    const claimed = this.connection.transaction(() => {
      const rows = due.all(now, limit) as Array<Selectable<Tables['alert_outbox']>>;
      for (const row of rows) lease.run(now + OUTBOX_LEASE_MS, row.id);
      return rows;
    });
    return Promise.resolve(claimed.immediate().map(toEntry));
  }

  private claim?: { due: Database.Statement; lease: Database.Statement };

  /** One synchronous transaction, for the reason given at AlertQueries.commitAlertEvaluation. */
  recordDeliveryAttempts(
    results: Array<{ attempt: Omit<DeliveryAttempt, 'at'> & { at: number }; outcome: { status: OutboxStatus; nextAttemptAt: number } }>,
  ): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    this.statements ??= {
      update: this.connection.prepare(
        'UPDATE alert_outbox SET attempts = attempts + 1, status = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?',
      ),
      insert: this.connection.prepare(
        `INSERT INTO alert_attempts (outbox_id, rule_id, at, action_type, target, ok, response_code, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
    const s = this.statements;
    this.connection
      .transaction(() => {
        for (const { attempt, outcome } of results) {
        s.update.run(outcome.status, outcome.nextAttemptAt, outcome.status === 'pending' ? null : attempt.at, attempt.outboxId);
        s.insert.run(attempt.outboxId, attempt.ruleId, attempt.at, attempt.actionType, attempt.target, attempt.ok ? 1 : 0,
          attempt.responseCode, attempt.error, Math.round(attempt.durationMs));
        }
      })
      .immediate();
    return Promise.resolve();
  }

  private statements?: { update: Database.Statement; insert: Database.Statement };

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
