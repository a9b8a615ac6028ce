import type { AlertRule } from '../store/alert-types.js';
import { readStoredEvent } from '../digest/stored-event.js';
import type { Issue, Project, StoredEventRecord, TagKeyDistribution } from '../store/types.js';

/** What every channel renders: fixed when the notification is decided, stored in the outbox. */
export interface AlertMessage {
  test: boolean;
  rule: { id: number; name: string; trigger: AlertRule['trigger'] };
  /** Why it fired, in words ("New issue", "12 events in 1 minute"). */
  reason: string;
  project: { id: number; slug: string; name: string };
  issue: {
    id: number;
    title: string;
    culprit: string;
    level: string;
    status: string;
    count: number;
    userCount: number;
    firstSeen: string;
    lastSeen: string;
  } | null;
  event: { id: string; environment: string | null; release: string | null; timestamp: string } | null;
  topTags: Array<{ key: string; value: string; percentage: number }>;
  /** Notifications this rule held back for this issue since its last one (throttle). */
  suppressedSinceLast: number;
  url: string;
}

const TOP_TAG_KEYS = 8;
const SKIPPED_TAG_KEYS = new Set(['environment', 'release', 'level']);

export function issueUrl(publicUrl: string, issueId: number): string {
  return `${publicUrl.replace(/\/$/, '')}/issues/${issueId}/`;
}

function topTags(issue: Issue, distribution: TagKeyDistribution[]) {
  return distribution
    .filter((d) => !SKIPPED_TAG_KEYS.has(d.key) && d.values[0])
    .map((d) => ({ key: d.key, value: d.values[0]!.value, percentage: issue.count > 0 ? Math.round((d.values[0]!.count / issue.count) * 1000) / 10 : 0 }))
    .sort((a, b) => b.percentage - a.percentage || a.key.localeCompare(b.key))
    .slice(0, TOP_TAG_KEYS);
}

export function buildMessage(input: {
  rule: AlertRule;
  project: Project;
  issue: Issue;
  event: StoredEventRecord | undefined;
  tags: TagKeyDistribution[];
  reason: string;
  suppressedSinceLast: number;
  publicUrl: string;
  test?: boolean;
}): AlertMessage {
  const { rule, project, issue } = input;
  const stored = input.event && readStoredEvent(input.event);
  const payload = (stored?.payload ?? {}) as { environment?: unknown; release?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    test: input.test ?? false,
    rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
    reason: input.reason,
    project: { id: project.id, slug: project.slug, name: project.name },
    issue: {
      id: issue.id,
      title: issue.title,
      culprit: issue.culprit,
      level: issue.level,
      status: issue.status,
      count: issue.count,
      userCount: issue.userCount,
      firstSeen: issue.firstSeen,
      lastSeen: issue.lastSeen,
    },
    event: stored ? { id: stored.eventId, environment: text(payload.environment), release: text(payload.release), timestamp: stored.timestamp } : null,
    topTags: topTags(issue, input.tags),
    suppressedSinceLast: input.suppressedSinceLast,
    url: issueUrl(input.publicUrl, issue.id),
  };
}

/** One line for a subject or a card title. */
export function headline(m: AlertMessage): string {
  const prefix = m.test ? '[test] ' : '';
  return `${prefix}[${m.project.slug}] ${m.reason}: ${m.issue?.title ?? '(no issue)'}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
}

/** Label / value pairs every channel shows, in this order. */
export function facts(m: AlertMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [['Project', m.project.name]];
  if (m.event?.environment) out.push(['Environment', m.event.environment]);
  if (m.issue) {
    out.push(['Level', m.issue.level]);
    if (m.issue.culprit) out.push(['Culprit', m.issue.culprit]);
    out.push(['Events', String(m.issue.count)], ['Users', String(m.issue.userCount)], ['First seen', m.issue.firstSeen]);
  }
  if (m.event?.release) out.push(['Release', m.event.release]);
  for (const t of m.topTags) out.push([t.key, `${t.value} (${t.percentage}%)`]);
  if (m.suppressedSinceLast > 0) out.push(['Held back since last notification', String(m.suppressedSinceLast)]);
  return out;
}
