import type Database from 'better-sqlite3';
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AlertAction,
  AlertEvaluationBatch,
  AlertEvaluationCommit,
  AlertRule,
  AlertRuleInput,
  AlertThrottleState,
  AlertTrigger,
  IssueWindow,
} from '../alert-types.js';
import type { SearchExpr } from '../../query/ast.js';
import { EventQueries } from './event-queries.js';
import { IssueQueries } from './issue-queries.js';
import { SearchCompiler } from './search-sql.js';
import { TagQueries } from './tag-queries.js';
import type { Tables } from './tables.js';
import type { AlertWriteTask } from './write-path/alert-writes.js';

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
  constructor(
    private readonly db: Kysely<Tables>,
    /** The same connection, for the synchronous reads and deleteAlertRule's transaction. */
    private readonly connection: Database.Database,
    /** The evaluator's write transaction: on the writer thread when there is one (alert-writes.ts). */
    private readonly write: (task: AlertWriteTask) => Promise<unknown>,
  ) {}

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

  /** A deleted rule's undelivered notifications are dropped with it, and its log (one short transaction). */
  deleteAlertRule(id: number): Promise<boolean> {
    const s = this.statements();
    const run = this.connection.transaction((ruleId: number) => {
      if (s.deleteRule.run(ruleId).changes === 0) return false;
      for (const statement of s.deleteRuleRows) statement.run(ruleId);
      return true;
    });
    return Promise.resolve(run.immediate(id));
  }

  /**
   * Events after the cursor, up to the newest one whose derived rows are applied: rows still in
   * derived_journal have no tag rows or counts yet, and a query filter or a message read from them
   * would be wrong. Journal batches hold ascending rows and are applied oldest first, so every row
   * below the first journaled one is complete. One statement: one snapshot of events and journal.
   *
   * One writer numbers rows in commit order, so "the last row evaluated" is a safe cursor here, and
   * issue ids grow the same way: an event whose issue id is above the highest one evaluated so far
   * created its issue (the cursor carries that id too, as `row:maxIssueId`).
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
    let maxIssueId = cursor.max_issue_id;
    const events = rows.rows.map((r) => {
      const newIssue = r.issue_id > maxIssueId;
      if (newIssue) maxIssueId = r.issue_id;
      return {
        row: r.row,
        projectId: r.project_id,
        issueId: r.issue_id,
        eventId: r.event_id.toString('hex'),
        timestamp: r.timestamp,
        received: r.received,
        environment: r.environment,
        release: null,
        newIssue,
        // status_row: the newest row when the status was last set; only later events reopen it.
        regression: r.is_regressed === 1 && r.row > r.status_row ? r.status_row : null,
      };
    });
    const lastRow = events.at(-1)?.row ?? cursor.event_row;
    return { cursor: `${cursor.event_row}:${cursor.max_issue_id}`, nextCursor: `${lastRow}:${maxIssueId}`, events };
  }

  async eventRowsMatching(projectId: number, filter: SearchExpr, rows: number[]): Promise<Set<number>> {
    if (rows.length === 0) return new Set();
    const compiler = new SearchCompiler(this.db, projectId, 'events');
    const matched = await this.db
      .selectFrom('events')
      .select('row')
      .where('project_id', '=', projectId)
      // The range of the batch's rows, not an IN list of up to 2,000 parameters that Kysely
      // compiled and SQLite prepared afresh on every call; rows of the range not asked for are
      // dropped below.
      .where('row', '>=', Math.min(...rows))
      .where('row', '<=', Math.max(...rows))
      .where((eb) => compiler.compile(eb, filter))
      .execute();
    const wanted = new Set(rows);
    return new Set(matched.map((m) => m.row).filter((row) => wanted.has(row)));
  }

  // The evaluator's counts, on statements prepared once: through Kysely each call compiled and
  // prepared its statement again, and with 20 rules these run per issue and pass (on the alerts
  // bench, preparing alone took 0.8 s of the main thread's 20 s).
  issueWindowCounts(windows: IssueWindow[], withUsers: boolean): Promise<Array<{ events: number; users: number }>> {
    const s = this.statements();
    const statement = withUsers ? s.issueWindowUsers : s.issueWindowEvents;
    return Promise.resolve(
      windows.map((w) => {
        const row = statement.get(w.issueId, w.from, w.to) as { events: number; users: number };
        return { events: Number(row.events), users: Number(row.users) };
      }),
    );
  }

  projectWindowCount(projectId: number, from: number, to: number): Promise<number> {
    return Promise.resolve(Number((this.statements().projectWindow.get(projectId, from, to) as { n: number }).n));
  }

  projectHourlyTotal(projectId: number, fromHour: number, toHour: number): Promise<number> {
    return Promise.resolve(Number((this.statements().projectHours.get(projectId, fromHour, toHour) as { n: number }).n));
  }

  async alertMessageContext(projectId: number, issueId: number, eventId: string | null) {
    const issue = await new IssueQueries(this.db).getIssue(issueId);
    if (!issue || issue.projectId !== projectId) return undefined;
    const event = eventId ? await new EventQueries(this.db).getEvent(projectId, eventId) : undefined;
    return { issue, event, tags: await new TagQueries(this.db).issueTagDistribution(issueId, 1) };
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
   * One synchronous IMMEDIATE transaction (alert-writes.ts), on the writer thread when the store
   * has one. A Kysely transaction awaited between statements while holding the write lock, so the
   * writer thread's commits (and so every ingest ack) waited behind it: measured on the alerts
   * bench, ack p99 went from 0.5 s to 6 s.
   */
  async commitAlertEvaluation(commit: AlertEvaluationCommit): Promise<boolean> {
    return (await this.write({ op: 'commitEvaluation', commit })) as boolean;
  }

  private prepared?: ReturnType<AlertQueries['prepare']>;
  private statements() {
    return (this.prepared ??= this.prepare());
  }
  private prepare() {
    const c = this.connection;
    return {
      issueWindowEvents: c.prepare('SELECT count(*) AS events, 0 AS users FROM events WHERE issue_id = ? AND timestamp > ? AND timestamp <= ?'),
      issueWindowUsers: c.prepare(
        'SELECT count(*) AS events, count(DISTINCT user_hash) AS users FROM events WHERE issue_id = ? AND timestamp > ? AND timestamp <= ?',
      ),
      projectWindow: c.prepare('SELECT count(*) AS n FROM events WHERE project_id = ? AND timestamp > ? AND timestamp <= ?'),
      projectHours: c.prepare('SELECT coalesce(sum(count), 0) AS n FROM project_hours WHERE project_id = ? AND hour >= ? AND hour <= ?'),
      deleteRule: c.prepare('DELETE FROM alert_rules WHERE id = ?'),
      deleteRuleRows: ['alert_outbox', 'alert_attempts', 'alert_rule_issues'].map((t) => c.prepare(`DELETE FROM ${t} WHERE rule_id = ?`)),
    };
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
