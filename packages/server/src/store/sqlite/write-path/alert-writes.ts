import type Database from 'better-sqlite3';
import { OUTBOX_LEASE_MS, type AlertEvaluationCommit, type DeliveryAttempt, type OutboxStatus } from '../../alert-types.js';

export type DeliveryResult = { attempt: Omit<DeliveryAttempt, 'at'> & { at: number }; outcome: { status: OutboxStatus; nextAttemptAt: number } };

/** A write of the alert engine, as the writer thread takes it (writer-protocol.ts). */
export type AlertWriteTask =
  | { op: 'commitEvaluation'; commit: AlertEvaluationCommit }
  | { op: 'claimOutbox'; now: number; limit: number }
  | { op: 'recordAttempts'; results: DeliveryResult[] };

/** An alert_outbox row as stored (the claim returns them; outbox-queries.ts maps them). */
export interface OutboxRow {
  id: number;
  rule_id: number;
  project_id: number;
  issue_id: number | null;
  action: string;
  message: string;
  status: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
}

/**
 * The alert engine's write transactions, each one synchronous IMMEDIATE transaction on the
 * connection given. With a writer thread they run there (writer-worker.ts), between its ingest
 * batches: run on the main thread, each waited for the write lock the writer holds most of the time
 * under load, and SQLite's busy handler sleeps in steps of up to 100 ms, blocking the event loop
 * that serves ingest. Measured on the alerts bench (SQLite, 20 rules, CPU profile of the main
 * thread): 0.5 s of the main thread's 20 s in these three, 0.3 s even with no rules (the cursor).
 * Without a writer thread (CLI) the store runs them on its own connection.
 */
export class AlertWrites {
  private readonly s;

  constructor(private readonly connection: Database.Database) {
    const c = connection;
    this.s = {
      moveCursor: c.prepare('UPDATE alert_cursor SET event_row = ?, max_issue_id = ? WHERE id = 1 AND event_row = ? AND max_issue_id = ?'),
      insertOutbox: c.prepare(
        `INSERT INTO alert_outbox (rule_id, project_id, issue_id, action_index, action, message, status, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      ),
      upsertThrottle: c.prepare(
        `INSERT INTO alert_rule_issues (rule_id, issue_id, last_fired_at, suppressed, regression_status_row) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule_id, issue_id) DO UPDATE SET last_fired_at = excluded.last_fired_at, suppressed = excluded.suppressed,
           regression_status_row = excluded.regression_status_row`,
      ),
      ruleFired: c.prepare('UPDATE alert_rules SET last_fired_at = max(coalesce(last_fired_at, 0), ?) WHERE id = ?'),
      due: c.prepare(`SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`),
      lease: c.prepare('UPDATE alert_outbox SET next_attempt_at = ? WHERE id = ?'),
      updateEntry: c.prepare('UPDATE alert_outbox SET attempts = attempts + 1, status = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?'),
      insertAttempt: c.prepare(
        `INSERT INTO alert_attempts (outbox_id, rule_id, at, action_type, target, ok, response_code, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  run(task: AlertWriteTask): unknown {
    switch (task.op) {
      case 'commitEvaluation':
        return this.commitEvaluation(task.commit);
      case 'claimOutbox':
        return this.claimOutbox(task.now, task.limit);
      case 'recordAttempts':
        return this.recordAttempts(task.results);
    }
  }

  /** The outbox rows, throttle states and cursor of one pass; false if another pass moved the cursor first. */
  commitEvaluation(commit: AlertEvaluationCommit): boolean {
    const s = this.s;
    return this.connection
      .transaction((c: AlertEvaluationCommit): boolean => {
        const [fromRow, fromIssue] = c.fromCursor.split(':').map(Number);
        const [toRow, toIssue] = c.toCursor.split(':').map(Number);
        if (s.moveCursor.run(toRow, toIssue, fromRow, fromIssue).changes !== 1) return false;
        for (const o of c.outbox) {
          s.insertOutbox.run(o.ruleId, o.projectId, o.issueId, o.actionIndex, JSON.stringify(o.action), JSON.stringify(o.message), o.createdAt, o.createdAt);
        }
        for (const t of c.throttle) s.upsertThrottle.run(t.ruleId, t.issueId, t.lastFiredAt, t.suppressed, t.regressionStatusRow);
        for (const f of c.fired) s.ruleFired.run(f.at, f.ruleId);
        return true;
      })
      .immediate(commit);
  }

  /** Claims due entries with a lease (alert-types.ts); the transaction is taken only when something is due. */
  claimOutbox(now: number, limit: number): OutboxRow[] {
    const { due, lease } = this.s;
    if (due.all(now, 1).length === 0) return [];
    return this.connection
      .transaction(() => {
        const rows = due.all(now, limit) as OutboxRow[];
        for (const row of rows) lease.run(now + OUTBOX_LEASE_MS, row.id);
        return rows;
      })
      .immediate();
  }

  recordAttempts(results: DeliveryResult[]): void {
    if (results.length === 0) return;
    const s = this.s;
    this.connection
      .transaction(() => {
        for (const { attempt, outcome } of results) {
          s.updateEntry.run(outcome.status, outcome.nextAttemptAt, outcome.status === 'pending' ? null : attempt.at, attempt.outboxId);
          s.insertAttempt.run(attempt.outboxId, attempt.ruleId, attempt.at, attempt.actionType, attempt.target, attempt.ok ? 1 : 0,
            attempt.responseCode, attempt.error, Math.round(attempt.durationMs));
        }
      })
      .immediate();
  }
}
