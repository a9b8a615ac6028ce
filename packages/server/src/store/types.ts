/**
 * The storage contract. The SQLite backend implements it now and PostgreSQL next; nothing outside
 * store/<backend>/ knows which one runs, and only store/open-store.ts picks one. Every method is
 * async so a networked backend fits. Backend-neutral pieces live beside this file: the payload
 * codec (payload-codec.ts), cursors (cursor.ts), and what a search predicate means
 * (search-fields.ts). Each backend folder has the same file names for the same roles.
 */

import type { InvalidationListener } from './invalidation.js';
import type { SearchExpr } from '../query/ast.js';
import type { ReleaseStore } from './release-types.js';
import type { ReplayStore } from './replay-types.js';
import type { AlertStore } from './alert-types.js';
import type { AccountStore } from './account-types.js';
import type { FingerprintRuleStore } from './fingerprint-rule-types.js';
import type { IngestPolicyStore } from './ingest-policy-types.js';
import type { LifecycleStore } from './lifecycle-types.js';
import type { TelemetryBatch, TraceStore } from './trace-types.js';
import type { TriageStore } from './triage-types.js';
import type { Assignee, IssueWorkflowStore } from './issue-workflow-types.js';

/**
 * Tags that identify a person, a customer, a browser session or tab, or a trace (derived from the
 * event's user, account, session context and trace). They have as many values as there are users
 * or sessions, so they are not kept in the per-issue tag counts: searches on them go through the
 * events that carry them, which is fast because each value is rare.
 */
export const IDENTITY_TAG_KEYS: ReadonlySet<string> = new Set([
  'user.id',
  'user.email',
  'user.username',
  'account.id',
  'account.name',
  'session_id',
  'window_id',
  'trace_id',
]);

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';
export const ISSUE_STATUSES: readonly IssueStatus[] = ['unresolved', 'resolved', 'ignored'];

export interface Project {
  id: number;
  slug: string;
  name: string;
  publicKey: string;
  createdAt: string;
}

export interface ProjectKey {
  projectId: number;
  publicKey: string;
  label: string;
  createdAt: string;
}

export interface ApiToken {
  id: number;
  name: string;
  /** Restricts the token to one project; null means every project. */
  projectId: number | null;
}

/**
 * What normalizing a stored event again on read needs besides its row (id, received time, trace
 * id). Kept next to the event's JSON; small, and empty for most events.
 */
export interface StoredContext {
  /** The sender's address, when it became user.ip_address (`{{auto}}`, infer_ip). */
  clientIp?: string;
  /** Neither the item nor its envelope had a valid event id, so ingest made one up. */
  generatedId?: true;
  /**
   * The project's fingerprint rule that grouped the event (digest/fingerprint-rules), as it was
   * then: the rules may change later, and the event view must show what grouped it.
   */
  fingerprintRule?: AppliedFingerprintRule;
}

/** A fingerprint rule as applied to one event: where it was, what it said, what it produced. */
export interface AppliedFingerprintRule {
  line: number;
  rule: string;
  /** The grouping source the rule produced (hashed into the fingerprint). */
  source: string;
  title?: string;
}

/** An event as received: its JSON bytes exactly as the client sent them, and their context. */
export interface ReceivedEvent {
  json: Uint8Array;
  context: StoredContext;
}

/** An event after digest: what the writer needs, plus the event as received, to keep. */
export interface DigestedEvent {
  projectId: number;
  eventId: string;
  timestamp: number;
  received: number;
  fingerprint: string;
  groupingVersion: string;
  title: string;
  culprit: string;
  type: 'error' | 'message' | 'default';
  level: string;
  environment: string | null;
  release: string | null;
  userKey: string | null;
  accountKey: string | null;
  traceId: string | null;
  /** Tags after the rules, including the built-in ones (environment, release, level). */
  tags: Array<[string, string]>;
  payload: ReceivedEvent;
}

export interface WriteOutcome {
  eventId: string;
  issueId: number;
  /** False when an event with this id was already stored (clients may resend). */
  inserted: boolean;
}

/** Items other than events: kept (transactions, spans, logs, ...) or only counted. */
export interface RawItem {
  projectId: number;
  type: string;
  received: number;
  eventId: string | null;
  traceId: string | null;
  /** Null for item types that are counted but not kept. */
  payload: string | null;
}

export interface Issue {
  id: number;
  projectId: number;
  title: string;
  culprit: string;
  type: string;
  level: string;
  fingerprint: string;
  groupingVersion: string;
  status: IssueStatus;
  isRegressed: boolean;
  /** Who the issue is assigned to (store/triage-types.ts); null when nobody is. */
  assignedTo: Assignee | null;
  /** The issue this one was merged into (hidden from lists while it is); null for a live issue. */
  mergedInto: number | null;
  count: number;
  userCount: number;
  accountCount: number;
  firstSeen: string;
  lastSeen: string;
  firstRelease: string | null;
  lastRelease: string | null;
  environments: string[];
}

export type IssueSort = 'date' | 'new' | 'freq' | 'users';

export interface IssueListQuery {
  projectId: number;
  /** The parsed search (query/ast.ts), compiled by each backend; null matches everything. */
  filter: SearchExpr | null;
  sort: IssueSort;
  limit: number;
  cursor?: string;
}

export interface EventListQuery {
  projectId: number;
  issueId?: number;
  filter: SearchExpr | null;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EventSummary {
  eventId: string;
  issueId: number;
  projectId: number;
  timestamp: string;
  received: string;
}

/**
 * A stored payload as the codec (store/payload-codec.ts) decodes it: JSON text, and for an event
 * stored as received (format 3) the context it came with. `context` is null for formats 1 and 2,
 * whose events were stored already normalized. Every backend stores payloads with that codec.
 */
export interface DecodedPayload {
  json: string;
  context: StoredContext | null;
}

/**
 * One stored event as a backend returns it: the row and its decoded payload. Turning that into the
 * API's view (normalizing an event stored as received) happens above the store, once for every
 * backend (digest/stored-event.ts).
 */
export type StoredEventRecord = EventSummary & {
  traceId: string | null;
  /** The received time in epoch ms (the same instant as `received`). */
  receivedMs: number;
  payload: DecodedPayload;
};

export interface EventNeighbors {
  previousEventId: string | null;
  nextEventId: string | null;
}

export type StatsInterval = 'minute' | 'hour' | 'day';
export const INTERVAL_MS: Record<StatsInterval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export interface StatsRange {
  /** Inclusive start, aligned to the interval (epoch ms). */
  from: number;
  /** Exclusive end (epoch ms). */
  to: number;
  interval: StatsInterval;
}

export interface TagValueBreakdown {
  key: string;
  value: string;
  events: number;
  issues: number;
  users: number;
}

export interface AnalyticsScope {
  projectId: number;
  filter: SearchExpr | null;
  /** Epoch ms window [from, to); null for all time. */
  window: { from: number; to: number } | null;
}

export interface CorrelationCounts {
  values: Array<{ key: string; value: string; issueCount: number; windowCount: number }>;
  windowTotal: number;
}

export interface TagValueCount {
  value: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export interface TagKeyDistribution {
  key: string;
  /** Events of the issue that carry this key. */
  totalValues: number;
  values: TagValueCount[];
}

export interface Store extends TraceStore, ReleaseStore, ReplayStore, AlertStore, AccountStore, TriageStore, IssueWorkflowStore, IngestPolicyStore, LifecycleStore, FingerprintRuleStore {
  readonly backend: string;
  close(): Promise<void>;
  /**
   * Runs `fn` holding the named lock that every process on this store shares (PostgreSQL: a session
   * advisory lock; SQLite: one process owns the data directory, so an in-process lock). For rare
   * once-only steps that read then write, such as the first start and the owner's set-up.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Hears changes that make a cached answer wrong, made by this process or any other on the same
   * store (invalidation.ts). Returns the unsubscribe function.
   */
  onInvalidation(listener: InvalidationListener): () => void;

  createProject(input: { name: string; slug?: string }): Promise<Project>;
  listProjects(): Promise<Project[]>;
  getProject(id: number): Promise<Project | undefined>;
  listProjectKeys(projectId: number): Promise<ProjectKey[]>;
  createProjectKey(projectId: number, label: string): Promise<ProjectKey>;
  /** Deactivates a key; refuses the project's last active key. */
  revokeProjectKey(projectId: number, publicKey: string): Promise<'revoked' | 'not_found' | 'last_key'>;
  /** The project a public key belongs to, if it is a live key. */
  findProjectByKey(publicKey: string): Promise<number | undefined>;

  createToken(input: { name: string; projectId?: number | null }): Promise<{ token: string; id: number }>;
  verifyToken(token: string): Promise<ApiToken | undefined>;
  listTokens(): Promise<Array<ApiToken & { createdAt: string }>>;
  revokeToken(id: number): Promise<boolean>;

  /**
   * Stores events and other items; resolves with one outcome per event. The consistency promise
   * every backend honours:
   * - Durable: once the promise resolves, the events and items are committed to disk (SQLite:
   *   `synchronous = FULL`; PostgreSQL: a committed transaction) and survive a crash or power loss.
   *   A rejection means none of this call's events is stored, so the client may send them again.
   * - Read-your-writes: any read issued after the write resolved sees its events, including the
   *   counts, users, tag rows, distributions and rollups derived from them. A backend may apply
   *   derived rows later (SQLite gathers them across batches: sqlite/write-path/README.md), but it
   *   must then bring them up to date before such a read answers.
   * - Idempotent per event id: an event id already stored in the project is not stored or counted
   *   again (`inserted: false`, with the issue it was stored under).
   * Group commit with other callers happens behind this call.
   */
  write(events: DigestedEvent[], raw: RawItem[], telemetry?: TelemetryBatch[]): Promise<WriteOutcome[]>;

  listIssues(query: IssueListQuery): Promise<Page<Issue>>;
  getIssue(id: number): Promise<Issue | undefined>;
  setIssueStatus(id: number, status: IssueStatus): Promise<Issue | undefined>;
  /** Sets the status of several issues of one project; returns how many changed. */
  setIssuesStatus(projectId: number, ids: number[], status: IssueStatus): Promise<number>;
  /** Events of a project (or of one issue), newest first, matching a search. */
  listEvents(query: EventListQuery): Promise<Page<EventSummary>>;
  getEvent(projectId: number, eventId: string): Promise<StoredEventRecord | undefined>;
  eventNeighbors(projectId: number, eventId: string): Promise<EventNeighbors | undefined>;
  /** Event counts per bucket for each issue: one array per issue, oldest bucket first. */
  issueStats(issueIds: number[], range: StatsRange): Promise<Map<number, number[]>>;
  /** A page of the issue's keys in key order (after `afterKey`, at most `keys`), each with its top values. */
  issueTagDistribution(issueId: number, topValues: number, page?: { afterKey?: string; keys?: number }): Promise<TagKeyDistribution[]>;
  /** One key of an issue: its total and a page of its values, most frequent first. */
  issueTagValues(issueId: number, key: string, page?: { offset?: number; limit?: number }): Promise<TagKeyDistribution | undefined>;
  /** A page of the project's tag keys in key order. */
  projectTagKeys(projectId: number, page?: { afterKey?: string; limit?: number }): Promise<Array<{ key: string; uniqueValues: number }>>;
  countEvents(scope: AnalyticsScope): Promise<number>;
  /** `keyRange` restricts to keys from first to last (inclusive), e.g. one page of keys. */
  tagBreakdown(scope: AnalyticsScope, key: string | null, limit: number, keyRange?: { first: string; last: string }): Promise<TagValueBreakdown[]>;
  eventStats(projectId: number, filter: SearchExpr | null, range: StatsRange): Promise<number[]>;
  tagValueStats(projectId: number, key: string, values: string[], range: StatsRange): Promise<Map<string, number[]>>;
  /** Hours are inclusive: epoch ms / 3,600,000. */
  correlationCounts(issueId: number, projectId: number, keyPrefix: string, fromHour: number, toHour: number): Promise<CorrelationCounts>;
  projectTagValues(
    projectId: number,
    key: string,
    prefix: string,
    limit: number,
  ): Promise<Array<{ value: string; count: number; issues: number }>>;
}
