/**
 * The alert part of the Store contract: rules, the evaluation cursor, the outbox of notifications
 * and the log of delivery attempts. See packages/server/src/alerts/README.md for the state machine.
 */

import type { SearchExpr } from '../query/ast.js';
import type { Issue, StoredEventRecord, TagKeyDistribution } from './types.js';

export const ALERT_TRIGGERS = ['new_issue', 'regression', 'frequency', 'users', 'spike'] as const;
export type AlertTrigger = (typeof ALERT_TRIGGERS)[number];

export type AlertAction =
  | { type: 'email'; to: string[] }
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'slack' | 'discord' | 'teams'; url: string };

/** What a client sends to create or replace a rule (validated by alerts/rule-validation.ts). */
export interface AlertRuleInput {
  name: string;
  trigger: AlertTrigger;
  environments: string[];
  query: string;
  /** frequency / users: N; spike: K (a multiple of the baseline). Null for the others. */
  threshold: number | null;
  /** frequency / users / spike: M. Null for the others. */
  windowMinutes: number | null;
  throttleMinutes: number;
  enabled: boolean;
  actions: AlertAction[];
}

export interface AlertRule extends AlertRuleInput {
  id: number;
  projectId: number;
  createdAt: string;
  updatedAt: string;
  lastFiredAt: string | null;
}

/** A committed event, as the evaluator reads it once its derived rows (tags, counts) are applied. */
export interface AlertCandidateEvent {
  row: number;
  projectId: number;
  issueId: number;
  eventId: string;
  /** Event time (client clock), epoch ms: the windows of frequency / users / spike count by it. */
  timestamp: number;
  received: number;
  environment: string | null;
  release: string | null;
  /** The first event of its issue (it created the issue): what new_issue fires on. */
  newIssue: boolean;
  /**
   * When the event comes after its resolved issue reopened: an id of that reopening (a regression
   * rule notifies once per reopening); null otherwise. Each backend numbers reopenings its own way.
   */
  regression: number | null;
}

export interface AlertEvaluationBatch {
  /**
   * The cursor before this batch and the one after its last event. Opaque: each backend encodes
   * its own position (SQLite: event row; PostgreSQL: transaction id and row, see alerts/README.md).
   */
  cursor: string;
  nextCursor: string;
  events: AlertCandidateEvent[];
}

/** An issue's events with timestamp in (from, to] (epoch ms), as the windowed triggers count them. */
export interface IssueWindow {
  issueId: number;
  from: number;
  to: number;
}

/** Per rule and issue: when it last notified, and what it held back since. */
export interface AlertThrottleState {
  ruleId: number;
  issueId: number;
  lastFiredAt: number;
  suppressed: number;
  /** The reopening (AlertCandidateEvent.regression) that was announced: a regression fires once per reopening. */
  regressionStatusRow: number;
}

export interface OutboxInsert {
  ruleId: number;
  projectId: number;
  issueId: number | null;
  actionIndex: number;
  /** The action as it was when the notification was decided (a later edit does not change it). */
  action: AlertAction;
  /** The message (alerts/message.ts), fixed at decision time so a retry sends the same thing. */
  message: unknown;
  createdAt: number;
}

/** What one evaluation pass decided, committed together with the cursor it advanced to. */
export interface AlertEvaluationCommit {
  fromCursor: string;
  toCursor: string;
  outbox: OutboxInsert[];
  throttle: AlertThrottleState[];
  /** Rules that notified in this pass, with when: their last firing. */
  fired: Array<{ ruleId: number; at: number }>;
}

/**
 * How long a claimed notification stays with its worker: longer than the slowest send (SMTP:
 * 10 s connect + 10 s greeting + 20 s socket; webhooks: 10 s), so a slow send is not taken twice.
 */
export const OUTBOX_LEASE_MS = 2 * 60_000;

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEntry {
  id: number;
  ruleId: number;
  projectId: number;
  issueId: number | null;
  action: AlertAction;
  message: unknown;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
}

export interface DeliveryAttempt {
  outboxId: number;
  ruleId: number;
  at: string;
  actionType: AlertAction['type'];
  /** The receiver (URL without credentials, or the e-mail recipients). */
  target: string;
  ok: boolean;
  responseCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface AlertStore {
  listAlertRules(projectId: number): Promise<AlertRule[]>;
  getAlertRule(id: number): Promise<AlertRule | undefined>;
  createAlertRule(projectId: number, input: AlertRuleInput): Promise<AlertRule>;
  updateAlertRule(id: number, input: AlertRuleInput): Promise<AlertRule | undefined>;
  deleteAlertRule(id: number): Promise<boolean>;
  /** Enabled rules of every project, for the evaluator. */
  enabledAlertRules(): Promise<AlertRule[]>;

  /**
   * The next committed events after the evaluation cursor whose derived rows are applied, oldest
   * first, at most `limit`.
   */
  alertEvaluationBatch(limit: number): Promise<AlertEvaluationBatch>;
  /**
   * Which of these event rows (all of one project) match a search: the query filter of a rule is
   * checked by the same compiled SQL as the issue and event search, so the two never disagree.
   */
  eventRowsMatching(projectId: number, filter: SearchExpr, rows: number[]): Promise<Set<number>>;
  /**
   * For each window (an issue, timestamps in (from, to]), in the order given: its events and, when
   * asked, distinct users (users 0 otherwise: they read the event rows, the event count only the
   * index). Many windows in one call: PostgreSQL answers them in one round trip.
   */
  issueWindowCounts(windows: IssueWindow[], withUsers: boolean): Promise<Array<{ events: number; users: number }>>;
  /** Events of a project with timestamp in (from, to]. */
  projectWindowCount(projectId: number, from: number, to: number): Promise<number>;
  /** Events of a project per hour, summed over [fromHour, toHour] (hours = epoch ms / 3,600,000). */
  projectHourlyTotal(projectId: number, fromHour: number, toHour: number): Promise<number>;
  /**
   * What a message shows: the issue, the event and the issue's top tag values. Read as committed,
   * without waiting for the writer to apply gathered rows (the evaluator only reads events whose rows
   * are applied, and asking the writer to apply early would undo its batching under load).
   */
  alertMessageContext(
    projectId: number,
    issueId: number,
    eventId: string | null,
  ): Promise<{ issue: Issue; event: StoredEventRecord | undefined; tags: TagKeyDistribution[] } | undefined>;
  alertThrottleStates(keys: Array<{ ruleId: number; issueId: number }>): Promise<AlertThrottleState[]>;
  /**
   * Inserts the outbox rows and throttle states and advances the cursor, in one transaction, only if
   * the cursor is still `fromCursor` (false otherwise: another evaluator got there first).
   */
  commitAlertEvaluation(commit: AlertEvaluationCommit): Promise<boolean>;

  /**
   * Claims pending notifications due at `now`, oldest first: each is leased until `now` plus
   * OUTBOX_LEASE_MS (its next attempt time moves there), so another delivery worker, in this process
   * or another, does not take it meanwhile. A worker that dies mid-send leaves it due again when
   * the lease ends; recordDeliveryAttempts sets the real next attempt time.
   */
  dueOutbox(now: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * Records attempts and moves each entry on: delivered, failed for good, or retried at
   * `nextAttemptAt`. Several at once, in one transaction: every commit takes the write lock the
   * ingest writer needs, so a burst of deliveries must not take it once each.
   */
  recordDeliveryAttempts(
    results: Array<{ attempt: Omit<DeliveryAttempt, 'at'> & { at: number }; outcome: { status: OutboxStatus; nextAttemptAt: number } }>,
  ): Promise<void>;
  deliveryLog(ruleId: number, limit: number): Promise<Array<DeliveryAttempt & { status: OutboxStatus }>>;
  outboxForRule(ruleId: number, limit: number): Promise<OutboxEntry[]>;
  /** Rules that notified about an issue, with their last firing and what was held back since. */
  issueAlertFirings(issueId: number): Promise<Array<{ ruleId: number; name: string; lastFiredAt: string; suppressed: number }>>;
}
