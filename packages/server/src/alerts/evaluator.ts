import { parseSearch } from '../query/issue-search.js';
import type { AlertCandidateEvent, AlertRule, AlertThrottleState, OutboxInsert } from '../store/alert-types.js';
import type { Store } from '../store/types.js';
import { buildMessage } from './message.js';
import { PassReads } from './pass-reads.js';
import { evaluateTrigger, type Firing } from './triggers.js';

const BATCH = 2000;
const MINUTE_MS = 60_000;
const stateKey = (ruleId: number, issueId: number) => `${ruleId}:${issueId}`;

/**
 * One evaluation pass: reads the committed, digested events after the cursor, decides which rules
 * notify (filters, trigger, throttle), and commits the notifications to the outbox together with
 * the cursor. Runs beside ingest, never in its path: an ack never waits for it.
 */
export class AlertEvaluator {
  constructor(
    private readonly store: Store,
    private readonly publicUrl: string,
  ) {}

  /** Evaluates one batch; returns how many events it evaluated (0 when caught up). */
  async runOnce(): Promise<number> {
    const batch = await this.store.alertEvaluationBatch(BATCH);
    if (batch.events.length === 0) return 0;
    const rules = await this.store.enabledAlertRules();
    const byProject = new Map<number, AlertCandidateEvent[]>();
    for (const e of batch.events) {
      const list = byProject.get(e.projectId);
      if (list) list.push(e);
      else byProject.set(e.projectId, [e]);
    }

    const states = new Map<string, AlertThrottleState>();
    const relevant = rules.filter((r) => byProject.has(r.projectId));
    const issuesOf = new Map([...byProject].map(([projectId, events]) => [projectId, [...new Set(events.map((e) => e.issueId))]]));
    const keys = relevant.flatMap((r) => [{ ruleId: r.id, issueId: 0 }, ...issuesOf.get(r.projectId)!.map((issueId) => ({ ruleId: r.id, issueId }))]);
    for (const s of await this.store.alertThrottleStates(keys)) states.set(stateKey(s.ruleId, s.issueId), s);
    const stateOf = (ruleId: number, issueId: number) => {
      const key = stateKey(ruleId, issueId);
      let state = states.get(key);
      if (!state) states.set(key, (state = { ruleId, issueId, lastFiredAt: 0, suppressed: 0, regressionStatusRow: -1 }));
      return state;
    };

    const reads = new PassReads(this.store);
    const firings: Firing[] = [];
    for (const rule of relevant) {
      const events = await this.matching(reads, rule, byProject.get(rule.projectId)!);
      if (events.length === 0) continue;
      const throttleMs = rule.throttleMinutes * MINUTE_MS;
      const throttled = (issueId: number, at: number) => {
        const state = states.get(stateKey(rule.id, issueId));
        return state !== undefined && state.lastFiredAt > 0 && at - state.lastFiredAt < throttleMs;
      };
      firings.push(...(await evaluateTrigger(reads, rule, events, throttled)));
    }

    const outbox: OutboxInsert[] = [];
    const changed = new Set<AlertThrottleState>();
    const fired: Array<{ ruleId: number; at: number }> = [];
    for (const f of firings) {
      const state = stateOf(f.rule.id, f.throttleIssueId);
      changed.add(state);
      if (f.rule.trigger === 'regression') {
        if (state.regressionStatusRow === f.event.regression) continue;
        state.regressionStatusRow = f.event.regression!;
      }
      const at = f.event.received;
      if (state.lastFiredAt > 0 && at - state.lastFiredAt < f.rule.throttleMinutes * MINUTE_MS) {
        state.suppressed += f.events;
        continue;
      }
      const message = await this.message(reads, f, state.suppressed);
      if (!message) continue;
      state.lastFiredAt = at;
      state.suppressed = 0;
      fired.push({ ruleId: f.rule.id, at });
      f.rule.actions.forEach((action, actionIndex) =>
        outbox.push({ ruleId: f.rule.id, projectId: f.rule.projectId, issueId: f.event.issueId, actionIndex, action, message, createdAt: Date.now() }),
      );
    }
    await this.store.commitAlertEvaluation({ fromCursor: batch.cursor, toCursor: batch.nextCursor, outbox, throttle: [...changed], fired });
    return batch.events.length;
  }

  /**
   * The rule's events after its environment and query filters. The query runs once per pass and
   * distinct query over all of the project's events in the batch (PassReads), then the rule keeps
   * those of its environments: rules that share a query (the bench's `tier:enterprise`, with and
   * without an environment) share its SQL.
   */
  private async matching(reads: PassReads, rule: AlertRule, events: AlertCandidateEvent[]): Promise<AlertCandidateEvent[]> {
    const out = rule.environments.length === 0 ? events : events.filter((e) => e.environment !== null && rule.environments.includes(e.environment));
    if (out.length === 0 || rule.query === '') return out;
    let filter;
    try {
      filter = parseSearch(rule.query);
    } catch {
      return []; // Validated on save; a query the parser no longer accepts matches nothing.
    }
    if (!filter) return out;
    const rows = await reads.rowsMatching(rule.projectId, rule.query, filter, events.map((e) => e.row));
    return out.filter((e) => rows.has(e.row));
  }

  private async message(reads: PassReads, f: Firing, suppressed: number) {
    const project = await reads.project(f.rule.projectId);
    const context = await reads.messageContext(f.rule.projectId, f.event.issueId, f.event.eventId);
    if (!project || !context) return null;
    return buildMessage({ rule: f.rule, project, ...context, reason: f.reason, suppressedSinceLast: suppressed, publicUrl: this.publicUrl });
  }
}
