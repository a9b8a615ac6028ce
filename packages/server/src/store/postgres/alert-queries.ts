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
    enabled: r.enabled,
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
    enabled: input.enabled,
    actions: JSON.stringify(input.actions),
  };
}

/** The cursor as the evaluator carries it: `xid:row` (both decimal; xid8 is read as text). */
const parseCursor = (cursor: string) => {
  const [xid, row] = cursor.split(':');
  if (!/^\d+$/.test(xid ?? '') || !/^\d+$/.test(row ?? '')) throw new Error(`not a PostgreSQL alert cursor: ${cursor}`);
  return { xid: xid!, row: row! };
};

/**
 * Alert rules and the evaluator's reads and commit on PostgreSQL (the outbox side is
 * outbox-queries.ts). Several processes evaluate over one database; alerts/README.md explains
 * why the cursor is (transaction id, row) and how two evaluators never both decide one event.
 */
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
    const rows = await this.db.selectFrom('alert_rules').selectAll().where('enabled', '=', true).orderBy('id').execute();
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
  deleteAlertRule(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const deleted = await tx.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await tx.deleteFrom('alert_outbox').where('rule_id', '=', id).execute();
      await tx.deleteFrom('alert_attempts').where('rule_id', '=', id).execute();
      await tx.deleteFrom('alert_rule_issues').where('rule_id', '=', id).execute();
      return true;
    });
  }

  /**
   * Events after the cursor in (xid, row) order, only from transactions older than the oldest one
   * still running (pg_snapshot_xmin): every such transaction has ended, so no event can later
   * commit behind the cursor. A long transaction anywhere on the server delays alerts; none is lost.
   *
   * newIssue: the event's transaction created its issue, and it is that transaction's first event
   * of the issue. The (xid, row) order keeps a transaction's events together; the row_number sees
   * only this batch, so when the batch starts inside the cursor's transaction the rows before the
   * cursor are checked too. Derived rows are written in the events' transaction (write-path/), so
   * every event read here has its tags and counts.
   */
  async alertEvaluationBatch(limit: number): Promise<AlertEvaluationBatch> {
    const cursor = await this.db.selectFrom('alert_cursor').select([sql<string>`xid::text`.as('xid'), 'event_row']).where('id', '=', 1).executeTakeFirstOrThrow();
    const rows = await sql<{
      row: number;
      xid: string;
      project_id: number;
      issue_id: number;
      event_id: Buffer;
      timestamp: number;
      received: number;
      new_issue: boolean;
      regression: string | null;
      environment: string | null;
    }>`
      WITH batch AS (
        SELECT e.row, e.xid, e.project_id, e.issue_id, e.event_id, e.timestamp, e.received
        FROM events e
        WHERE (e.xid, e.row) > (${cursor.xid}::xid8, ${cursor.event_row}::bigint)
          AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.xid, e.row
        LIMIT ${limit}
      )
      SELECT b.row, b.xid::text AS xid, b.project_id, b.issue_id, b.event_id, b.timestamp, b.received,
        CASE WHEN b.xid IS DISTINCT FROM i.created_xid THEN false
          WHEN row_number() OVER (PARTITION BY b.issue_id, b.xid ORDER BY b.row) > 1 THEN false
          WHEN b.xid <> ${cursor.xid}::xid8 THEN true
          ELSE NOT EXISTS (SELECT 1 FROM events p WHERE p.project_id = b.project_id AND p.issue_id = b.issue_id
            AND p.xid = b.xid AND p.row <= ${cursor.event_row}::bigint)
        END AS new_issue,
        CASE WHEN i.is_regressed AND b.xid >= i.regressed_xid THEN i.regressed_xid::text END AS regression,
        (SELECT tv.value FROM tag_values tv JOIN event_tags et ON et.project_id = tv.project_id AND et.value_id = tv.id
          WHERE tv.project_id = b.project_id AND tv.key = 'environment' AND et.timestamp = b.timestamp AND et.event_row = b.row
          LIMIT 1) AS environment
      FROM batch b JOIN issues i ON i.id = b.issue_id
      ORDER BY b.xid, b.row`.execute(this.db);
    const last = rows.rows.at(-1);
    return {
      cursor: `${cursor.xid}:${cursor.event_row}`,
      nextCursor: last ? `${last.xid}:${last.row}` : `${cursor.xid}:${cursor.event_row}`,
      events: rows.rows.map((r) => ({
        row: r.row,
        projectId: r.project_id,
        issueId: r.issue_id,
        eventId: r.event_id.toString('hex'),
        timestamp: r.timestamp,
        received: r.received,
        environment: r.environment,
        release: null,
        newIssue: r.new_issue,
        regression: r.regression === null ? null : Number(r.regression),
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
      .where('row', '=', sql<number>`ANY(${rows}::bigint[])`)
      .where((eb) => compiler.compile(eb, filter))
      .execute();
    return new Set(matched.map((m) => Number(m.row)));
  }

  /**
   * Every window in one statement: one round trip per pass and trigger instead of one (and a
   * lookup of the issue's project) per issue, which on the alerts bench kept PostgreSQL's and
   * node's CPU busy beside ingest. Each window is a correlated count on the index
   * (project_id, issue_id, timestamp, row) of its issue's partition.
   */
  async issueWindowCounts(windows: IssueWindow[], withUsers: boolean): Promise<Array<{ events: number; users: number }>> {
    if (windows.length === 0) return [];
    const users = withUsers ? sql`count(DISTINCT e.user_hash)` : sql`0`;
    const rows = await sql<{ n: string; events: string; users: string }>`
      SELECT w.n, c.events, c.users
      FROM unnest(${windows.map((w) => w.issueId)}::bigint[], ${windows.map((w) => w.from)}::bigint[],
        ${windows.map((w) => w.to)}::bigint[]) WITH ORDINALITY AS w(issue_id, from_ts, to_ts, n)
      JOIN issues i ON i.id = w.issue_id
      CROSS JOIN LATERAL (
        SELECT count(*) AS events, ${users} AS users FROM events e
        WHERE e.project_id = i.project_id AND e.issue_id = w.issue_id AND e.timestamp > w.from_ts AND e.timestamp <= w.to_ts
      ) c`.execute(this.db);
    const out = windows.map(() => ({ events: 0, users: 0 }));
    for (const r of rows.rows) out[Number(r.n) - 1] = { events: Number(r.events), users: Number(r.users) };
    return out;
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

  async alertMessageContext(projectId: number, issueId: number, eventId: string | null) {
    const issue = await new IssueQueries(this.db).getIssue(issueId);
    if (!issue || issue.projectId !== projectId) return undefined;
    const event = eventId ? await new EventQueries(this.db).getEvent(projectId, eventId) : undefined;
    return { issue, event, tags: await new TagQueries(this.db).issueTagDistribution(issueId, 1) };
  }

  async alertThrottleStates(keys: Array<{ ruleId: number; issueId: number }>): Promise<AlertThrottleState[]> {
    if (keys.length === 0) return [];
    const rows = await sql<Selectable<Tables['alert_rule_issues']>>`
      SELECT s.* FROM alert_rule_issues s
      JOIN unnest(${keys.map((k) => k.ruleId)}::int[], ${keys.map((k) => k.issueId)}::int[]) AS k(rule_id, issue_id)
        ON s.rule_id = k.rule_id AND s.issue_id = k.issue_id`.execute(this.db);
    return rows.rows.map((r) => ({
      ruleId: r.rule_id,
      issueId: r.issue_id,
      lastFiredAt: Number(r.last_fired_at),
      suppressed: Number(r.suppressed),
      regressionStatusRow: Number(r.regression_status_row),
    }));
  }

  /**
   * One transaction: the cursor row is locked (FOR UPDATE) and must still be where this pass
   * started. A second evaluator (another process) committing the same pass waits on the lock,
   * then finds the cursor moved and throws its pass away, so each event is decided once.
   */
  commitAlertEvaluation(commit: AlertEvaluationCommit): Promise<boolean> {
    const from = parseCursor(commit.fromCursor);
    const to = parseCursor(commit.toCursor);
    return this.db.transaction().execute(async (tx) => {
      const locked = await sql<{ xid: string; event_row: number }>`
        SELECT xid::text AS xid, event_row FROM alert_cursor WHERE id = 1 FOR UPDATE`.execute(tx);
      const current = locked.rows[0];
      if (!current || current.xid !== from.xid || String(current.event_row) !== from.row) return false;
      await sql`UPDATE alert_cursor SET xid = ${to.xid}::xid8, event_row = ${to.row}::bigint WHERE id = 1`.execute(tx);
      const o = commit.outbox;
      if (o.length > 0) {
        await sql`INSERT INTO alert_outbox (rule_id, project_id, issue_id, action_index, action, message, status, created_at, next_attempt_at)
          SELECT r, p, i, a, act, msg, 'pending', c, c FROM unnest(${o.map((x) => x.ruleId)}::int[], ${o.map((x) => x.projectId)}::int[],
            ${o.map((x) => x.issueId)}::int[], ${o.map((x) => x.actionIndex)}::int[], ${o.map((x) => JSON.stringify(x.action))}::text[],
            ${o.map((x) => JSON.stringify(x.message))}::text[], ${o.map((x) => x.createdAt)}::bigint[]) AS t(r, p, i, a, act, msg, c)`.execute(tx);
      }
      const t = [...commit.throttle].sort((a, b) => a.ruleId - b.ruleId || a.issueId - b.issueId);
      if (t.length > 0) {
        await sql`INSERT INTO alert_rule_issues (rule_id, issue_id, last_fired_at, suppressed, regression_status_row)
          SELECT * FROM unnest(${t.map((x) => x.ruleId)}::int[], ${t.map((x) => x.issueId)}::int[], ${t.map((x) => x.lastFiredAt)}::bigint[],
            ${t.map((x) => x.suppressed)}::bigint[], ${t.map((x) => x.regressionStatusRow)}::bigint[])
          ON CONFLICT (rule_id, issue_id) DO UPDATE SET last_fired_at = excluded.last_fired_at, suppressed = excluded.suppressed,
            regression_status_row = excluded.regression_status_row`.execute(tx);
      }
      for (const f of commit.fired) {
        await sql`UPDATE alert_rules SET last_fired_at = greatest(coalesce(last_fired_at, 0), ${f.at}::bigint) WHERE id = ${f.ruleId}`.execute(tx);
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
    return rows.map((r) => ({ ruleId: r.id, name: r.name, lastFiredAt: iso(Number(r.last_fired_at)), suppressed: Number(r.suppressed) }));
  }
}
