import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AlertAction,
  AlertEvaluationBatch,
  AlertEvaluationCommit,
  AlertRule,
  AlertRuleInput,
  AlertThrottleState,
  AlertTrigger,
} from '../alert-types.js';
import type { SearchExpr } from '../../query/ast.js';
import { SearchCompiler } from './search-sql.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();
type RuleRow = Selectable<Tables['alert_rules']>;

function toRule(r: RuleRow): AlertRule {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    trigger: r.trigger as AlertTrigger,
    environments: JSON.parse(r.environments) as string[],
    query: r.query,
    threshold: r.threshold,
    windowMinutes: r.window_minutes,
    throttleMinutes: r.throttle_minutes,
    enabled: r.enabled === 1,
    actions: JSON.parse(r.actions) as AlertAction[],
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    lastFiredAt: r.last_fired_at === null ? null : iso(r.last_fired_at),
  };
}

function ruleColumns(input: AlertRuleInput) {
  return {
    name: input.name,
    trigger: input.trigger,
    environments: JSON.stringify(input.environments),
    query: input.query,
    threshold: input.threshold,
    window_minutes: input.windowMinutes,
    throttle_minutes: input.throttleMinutes,
    enabled: input.enabled ? 1 : 0,
    actions: JSON.stringify(input.actions),
  };
}

/** Alert rules and the evaluator's reads and commit (the outbox side is outbox-queries.ts). */
export class AlertQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async listAlertRules(projectId: number): Promise<AlertRule[]> {
    const rows = await this.db.selectFrom('alert_rules').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
    return rows.map(toRule);
  }

  async getAlertRule(id: number): Promise<AlertRule | undefined> {
    const row = await this.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : undefined;
  }

  async enabledAlertRules(): Promise<AlertRule[]> {
    const rows = await this.db.selectFrom('alert_rules').selectAll().where('enabled', '=', 1).orderBy('id').execute();
    return rows.map(toRule);
  }

  async createAlertRule(projectId: number, input: AlertRuleInput): Promise<AlertRule> {
    const now = Date.now();
    const { id } = await this.db
      .insertInto('alert_rules')
      .values({ project_id: projectId, ...ruleColumns(input), created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.getAlertRule(id))!;
  }

  async updateAlertRule(id: number, input: AlertRuleInput): Promise<AlertRule | undefined> {
    const result = await this.db
      .updateTable('alert_rules')
      .set({ ...ruleColumns(input), updated_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 0 ? undefined : this.getAlertRule(id);
  }

  /** A deleted rule's undelivered notifications are dropped with it, and its log. */
  async deleteAlertRule(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await trx.deleteFrom('alert_outbox').where('rule_id', '=', id).execute();
      await trx.deleteFrom('alert_attempts').where('rule_id', '=', id).execute();
      await trx.deleteFrom('alert_rule_issues').where('rule_id', '=', id).execute();
      return true;
    });
  }

  /**
   * Events after the cursor, up to the newest one whose derived rows are applied: rows still in
   * derived_journal have no tag rows or counts yet, and a query filter or a message read from them
   * would be wrong. Journal batches hold ascending rows and are applied oldest first, so every row
   * below the first journaled one is complete. One statement: one snapshot of events and journal.
   */
  async alertEvaluationBatch(limit: number): Promise<AlertEvaluationBatch> {
    const cursor = await this.db.selectFrom('alert_cursor').select(['event_row', 'max_issue_id']).where('id', '=', 1).executeTakeFirstOrThrow();
    const rows = await sql<{
      row: number;
      project_id: number;
      issue_id: number;
      event_id: Buffer;
      timestamp: number;
      received: number;
      status_row: number;
      is_regressed: number;
      environment: string | null;
    }>`
      SELECT e.row, e.project_id, e.issue_id, e.event_id, e.timestamp, e.received, i.status_row, i.is_regressed,
        (SELECT tv.value FROM tag_values tv
          WHERE tv.project_id = e.project_id AND tv.key = 'environment'
            AND EXISTS (SELECT 1 FROM event_tags et WHERE et.value_id = tv.id AND et.event_row = e.row)) AS environment
      FROM events e JOIN issues i ON i.id = e.issue_id
      WHERE e.row > ${cursor.event_row}
        AND e.row <= coalesce((SELECT min(json_extract(entries, '$[0][2]')) FROM derived_journal) - 1, (SELECT max(row) FROM events))
      ORDER BY e.row
      LIMIT ${limit}`.execute(this.db);
    return {
      cursor: cursor.event_row,
      maxIssueId: cursor.max_issue_id,
      events: rows.rows.map((r) => ({
        row: r.row,
        projectId: r.project_id,
        issueId: r.issue_id,
        eventId: r.event_id.toString('hex'),
        timestamp: r.timestamp,
        received: r.received,
        environment: r.environment,
        release: null,
        issueStatusRow: r.status_row,
        issueRegressed: r.is_regressed === 1,
      })),
    };
  }

  async eventRowsMatching(projectId: number, filter: SearchExpr, rows: number[]): Promise<Set<number>> {
    if (rows.length === 0) return new Set();
    const compiler = new SearchCompiler(this.db, projectId, 'events');
    const matched = await this.db
      .selectFrom('events')
      .select('row')
      .where('project_id', '=', projectId)
      .where('row', 'in', rows)
      .where((eb) => compiler.compile(eb, filter))
      .execute();
    return new Set(matched.map((m) => m.row));
  }

  async issueWindowCounts(issueId: number, from: number, to: number): Promise<{ events: number; users: number }> {
    const row = await this.db
      .selectFrom('events')
      .select([(eb) => eb.fn.countAll<number>().as('events'), sql<number>`count(DISTINCT user_hash)`.as('users')])
      .where('issue_id', '=', issueId)
      .where('timestamp', '>', from)
      .where('timestamp', '<=', to)
      .executeTakeFirstOrThrow();
    return { events: Number(row.events), users: Number(row.users) };
  }

  async projectWindowCount(projectId: number, from: number, to: number): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .where('timestamp', '>', from)
      .where('timestamp', '<=', to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async projectHourlyTotal(projectId: number, fromHour: number, toHour: number): Promise<number> {
    const row = await this.db
      .selectFrom('project_hours')
      .select(sql<number>`coalesce(sum(count), 0)`.as('n'))
      .where('project_id', '=', projectId)
      .where('hour', '>=', fromHour)
      .where('hour', '<=', toHour)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async alertThrottleStates(keys: Array<{ ruleId: number; issueId: number }>): Promise<AlertThrottleState[]> {
    if (keys.length === 0) return [];
    // Two IN lists, not one OR per key: SQLite refuses an expression deeper than 1,000 terms, and a
    // busy pass has rules × issues keys (20 × 300 on the bench). The cross product is filtered here.
    const wanted = new Set(keys.map((k) => `${k.ruleId}:${k.issueId}`));
    const rows = await this.db
      .selectFrom('alert_rule_issues')
      .selectAll()
      .where('rule_id', 'in', [...new Set(keys.map((k) => k.ruleId))])
      .where('issue_id', 'in', [...new Set(keys.map((k) => k.issueId))])
      .execute();
    return rows.filter((r) => wanted.has(`${r.rule_id}:${r.issue_id}`)).map((r) => ({
      ruleId: r.rule_id,
      issueId: r.issue_id,
      lastFiredAt: r.last_fired_at,
      suppressed: r.suppressed,
      regressionStatusRow: r.regression_status_row,
    }));
  }

  /**
   * The first statement writes (the cursor), so the transaction takes the write lock before it reads
   * anything and cannot fail on a stale snapshot while the writer thread commits.
   */
  async commitAlertEvaluation(commit: AlertEvaluationCommit): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('alert_cursor')
        .set({ event_row: commit.toCursor, max_issue_id: commit.maxIssueId })
        .where('id', '=', 1)
        .where('event_row', '=', commit.fromCursor)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      for (const o of commit.outbox) {
        await trx
          .insertInto('alert_outbox')
          .values({
            rule_id: o.ruleId,
            project_id: o.projectId,
            issue_id: o.issueId,
            action_index: o.actionIndex,
            action: JSON.stringify(o.action),
            message: JSON.stringify(o.message),
            status: 'pending',
            created_at: o.createdAt,
            next_attempt_at: o.createdAt,
          })
          .execute();
      }
      for (const t of commit.throttle) {
        const values = {
          rule_id: t.ruleId,
          issue_id: t.issueId,
          last_fired_at: t.lastFiredAt,
          suppressed: t.suppressed,
          regression_status_row: t.regressionStatusRow,
        };
        await trx
          .insertInto('alert_rule_issues')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['rule_id', 'issue_id']).doUpdateSet({
              last_fired_at: values.last_fired_at,
              suppressed: values.suppressed,
              regression_status_row: values.regression_status_row,
            }),
          )
          .execute();
      }
      for (const f of commit.fired) {
        await trx
          .updateTable('alert_rules')
          .set({ last_fired_at: sql<number>`max(coalesce(last_fired_at, 0), ${f.at})` })
          .where('id', '=', f.ruleId)
          .execute();
      }
      return true;
    });
  }

  async issueAlertFirings(issueId: number) {
    const rows = await this.db
      .selectFrom('alert_rule_issues as ari')
      .innerJoin('alert_rules as r', 'r.id', 'ari.rule_id')
      .select(['r.id', 'r.name', 'ari.last_fired_at', 'ari.suppressed'])
      .where('ari.issue_id', '=', issueId)
      .where('ari.last_fired_at', '>', 0)
      .orderBy('ari.last_fired_at', 'desc')
      .execute();
    return rows.map((r) => ({ ruleId: r.id, name: r.name, lastFiredAt: iso(r.last_fired_at), suppressed: r.suppressed }));
  }
}
