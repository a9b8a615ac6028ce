import type { AlertCandidateEvent, AlertRule, AlertStore } from '../store/alert-types.js';

/** The reads the triggers make (alerts/pass-reads.ts asks each once per pass). */
export type TriggerReads = Pick<AlertStore, 'issueWindowCounts' | 'projectWindowCount' | 'projectHourlyTotal'>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** An event that makes a rule fire for an issue (before the throttle), and why. */
export interface Firing {
  rule: AlertRule;
  event: AlertCandidateEvent;
  /** 0 for spike: a project-wide condition is throttled per rule, not per issue. */
  throttleIssueId: number;
  reason: string;
  /** Matching events of the issue in this pass that this firing stands for (the throttle counts them). */
  events: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const windowText = (minutes: number) => (minutes % 60 === 0 ? plural(minutes / 60, 'hour') : plural(minutes, 'minute'));

function lastPerIssue(events: AlertCandidateEvent[]): Map<number, { last: AlertCandidateEvent; count: number }> {
  const out = new Map<number, { last: AlertCandidateEvent; count: number }>();
  for (const e of events) out.set(e.issueId, { last: e, count: (out.get(e.issueId)?.count ?? 0) + 1 });
  return out;
}

/**
 * Spike baseline: the project's average events per window of M minutes over the 24 whole hours
 * before the current hour (from the hourly counts), at least 1 so a quiet project's first events are
 * not a spike unless they pass K. The current window is counted from the events themselves.
 */
export async function spikeBaseline(store: TriggerReads, projectId: number, at: number, windowMinutes: number): Promise<number> {
  const hour = Math.floor(at / HOUR_MS);
  const total = await store.projectHourlyTotal(projectId, hour - 24, hour - 1);
  return Math.max(1, (total / (24 * 60)) * windowMinutes);
}

/**
 * Which issues a rule fires for among its matching events (filters already applied). `throttled`
 * lets windowed triggers skip their counts for issues whose notification would be held back anyway
 * (a storm costs no count queries). Whether an event created its issue or follows a reopening is
 * decided by the store (AlertCandidateEvent.newIssue / regression), each backend its own way.
 */
export async function evaluateTrigger(
  store: TriggerReads,
  rule: AlertRule,
  events: AlertCandidateEvent[],
  throttled: (issueId: number, at: number) => boolean,
): Promise<Firing[]> {
  const firings: Firing[] = [];
  switch (rule.trigger) {
    case 'new_issue':
      for (const e of events) if (e.newIssue) firings.push({ rule, event: e, throttleIssueId: e.issueId, reason: 'New issue', events: 1 });
      return firings;
    case 'regression': {
      const seen = new Set<number>();
      for (const e of events) {
        if (e.regression === null || seen.has(e.issueId)) continue;
        seen.add(e.issueId);
        firings.push({ rule, event: e, throttleIssueId: e.issueId, reason: 'Regression (a resolved issue is back)', events: 1 });
      }
      return firings;
    }
    case 'frequency':
    case 'users': {
      const windowMs = rule.windowMinutes! * MINUTE_MS;
      const open: Array<{ issueId: number; last: AlertCandidateEvent; count: number }> = [];
      for (const [issueId, { last, count }] of lastPerIssue(events)) {
        if (throttled(issueId, last.received)) firings.push({ rule, event: last, throttleIssueId: issueId, reason: '', events: count });
        else open.push({ issueId, last, count });
      }
      const windows = open.map((o) => ({ issueId: o.issueId, from: o.last.timestamp - windowMs, to: o.last.timestamp }));
      const inWindow = await store.issueWindowCounts(windows, false);
      // Distinct users cannot outnumber the events: below the threshold in events, the distinct
      // count (which reads every event row of the window, not just the index) cannot reach it.
      const reaching = open.map((o, i) => ({ ...o, window: windows[i]!, events: inWindow[i]!.events })).filter((o) => o.events >= rule.threshold!);
      const users = rule.trigger === 'users' ? await store.issueWindowCounts(reaching.map((o) => o.window), true) : [];
      reaching.forEach((o, i) => {
        const value = rule.trigger === 'frequency' ? o.events : users[i]!.users;
        if (value < rule.threshold!) return;
        const what = rule.trigger === 'frequency' ? plural(value, 'event') : plural(value, 'user');
        firings.push({ rule, event: o.last, throttleIssueId: o.issueId, reason: `${what} in ${windowText(rule.windowMinutes!)}`, events: o.count });
      });
      return firings;
    }
    case 'spike': {
      const last = events[events.length - 1];
      if (!last) return firings;
      if (throttled(0, last.received)) return [{ rule, event: last, throttleIssueId: 0, reason: '', events: events.length }];
      const windowMs = rule.windowMinutes! * MINUTE_MS;
      const current = await store.projectWindowCount(last.projectId, last.timestamp - windowMs, last.timestamp);
      const baseline = await spikeBaseline(store, last.projectId, last.timestamp, rule.windowMinutes!);
      if (current > rule.threshold! * baseline) {
        const reason = `Spike: ${plural(current, 'event')} in ${windowText(rule.windowMinutes!)}, ${Math.round((current / baseline) * 10) / 10}× the baseline of ${Math.round(baseline * 10) / 10}`;
        firings.push({ rule, event: last, throttleIssueId: 0, reason, events: events.length });
      }
      return firings;
    }
  }
}
