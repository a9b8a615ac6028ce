import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DigestedEvent, RawItem, Store, WriteOutcome } from '../types.js';
import type { TelemetryBatch } from '../trace-types.js';
import { AccountQueries } from './account-queries.js';
import { AccountRecords } from './account-records.js';
import { AdminQueries } from './admin.js';
import { FingerprintRuleQueries, type FingerprintRuleTables } from '../grouping/fingerprint-rule-queries.js';
import { IngestPolicyQueries } from './ingest-policy-queries.js';
import { AnalyticsQueries } from './analytics-queries.js';
import { EventQueries } from './event-queries.js';
import { IssueQueries } from './issue-queries.js';
import { IssueWorkflowQueries, type IssueWorkflowTables } from '../triage/issue-workflow-queries.js';
import { MergeQueries } from './merge-queries.js';
import { StatsQueries } from './stats-queries.js';
import { TagQueries } from './tag-queries.js';
import { TraceQueries } from './trace-queries.js';
import { copyFromSqlite, type CopyProgress, type CopyReport } from './copy-from-sqlite.js';
import { migrate } from './schema.js';
import { filteredIssueCounts } from './filtered-counts.js';
import { TriageQueries } from '../triage/queries.js';
import type { TriageTables } from '../triage/tables.js';
import type { Tables } from './tables.js';
import { PostgresWriter } from './write-path/writer.js';
import { AlertQueries } from './alert-queries.js';
import { OutboxQueries } from './outbox-queries.js';
import { LifecycleQueries } from './lifecycle-queries.js';
import { ArtifactQueries } from './artifact-queries.js';
import { ReleaseQueries } from './release-queries.js';
import type { AllTables } from './release-tables.js';
import { ReplayQueries } from './replay-queries.js';
import { InvalidationHub, type InvalidationListener } from '../invalidation.js';
import { InvalidationListenerConnection, notifyInvalidation } from './listener.js';
import { withAdvisoryLock } from './advisory-lock.js';
import { NulSafeClient, withoutNulInEvent } from './nul-safe-client.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (or a unix socket: postgres:///db?host=/var/run/postgresql). */
  url: string;
  /** Connections in this process's pool (reads run beside the one writing transaction). */
  poolSize?: number;
  /** CLI commands use the store without migrating partitions ahead on a timer. */
  maintain?: boolean;
}

/** Partitions for the coming weeks are created on start and this often after (partitions.ts). */
const MAINTENANCE_MS = 6 * 3_600_000;

/**
 * bigint (int8) and numeric arrive as text from node-postgres, so that no precision is lost; every
 * such column here holds epoch milliseconds, counts or ids well inside 2^53, so they are numbers.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as typeof pg.types.getTypeParser,
};

/**
 * The PostgreSQL store: many processes over one database. Reads run on the pool; writes go through
 * this process's group commit (write-path/README.md), which derives every count in the same
 * transaction as its events, so a read after an ack sees them.
 */
/** Host, port and database of a URL, for messages: never the user or password. */
function whereIs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || parsed.searchParams.get('host') || 'localhost'}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  private readonly writer: PostgresWriter;
  private readonly admin: AdminQueries;
  private readonly policies: IngestPolicyQueries;
  private readonly fingerprintRules: FingerprintRuleQueries;
  private readonly issues: IssueQueries;
  private readonly triage: TriageQueries;
  private readonly workflow: IssueWorkflowQueries;
  private readonly merges: MergeQueries;
  private readonly events: EventQueries;
  private readonly tags: TagQueries;
  private readonly stats: StatsQueries;
  private readonly analytics: AnalyticsQueries;
  private readonly traces: TraceQueries;
  private readonly accounts: AccountQueries;
  private readonly records: AccountRecords;
  private readonly releases: ReleaseQueries;
  private readonly artifacts: ArtifactQueries;
  private readonly replays: ReplayQueries;
  private readonly alerts: AlertQueries;
  private readonly outbox: OutboxQueries;
  private readonly lifecycle: LifecycleQueries;
  private maintenance: NodeJS.Timeout | null = null;
  private readonly invalidations = new InvalidationHub();
  private listener: InvalidationListenerConnection | null = null;

  private constructor(private readonly db: Kysely<Tables>) {
    this.writer = new PostgresWriter(db);
    this.admin = new AdminQueries(db);
    this.policies = new IngestPolicyQueries(db);
    this.fingerprintRules = new FingerprintRuleQueries(db as unknown as Kysely<FingerprintRuleTables>, (tx, projectId) => notifyInvalidation(tx, { kind: 'fingerprint_rules', projectId }));
    this.issues = new IssueQueries(db);
    this.triage = new TriageQueries(db as unknown as Kysely<TriageTables>);
    this.workflow = new IssueWorkflowQueries(db as unknown as Kysely<IssueWorkflowTables>);
    this.merges = new MergeQueries(db);
    this.events = new EventQueries(db);
    this.tags = new TagQueries(db);
    this.stats = new StatsQueries(db);
    this.analytics = new AnalyticsQueries(db);
    this.traces = new TraceQueries(db);
    this.accounts = new AccountQueries(db);
    this.records = new AccountRecords(db);
    this.alerts = new AlertQueries(db);
    this.outbox = new OutboxQueries(db);
    // The release, artifact and replay tables are typed apart (release-tables.ts); same database.
    const all = db as unknown as Kysely<AllTables>;
    this.releases = new ReleaseQueries(all);
    this.artifacts = new ArtifactQueries(all);
    this.replays = new ReplayQueries(all);
    this.lifecycle = new LifecycleQueries(db);
  }

  // Data lifecycle (lifecycle-queries.ts)
  getProjectRetention: Store['getProjectRetention'] = (...args) => this.lifecycle.getProjectRetention(...args);
  setProjectRetention: Store['setProjectRetention'] = (...args) => this.lifecycle.setProjectRetention(...args);
  purgeOlderThan: Store['purgeOlderThan'] = (...args) => this.lifecycle.purgeOlderThan(...args);
  deleteIssueBatch: Store['deleteIssueBatch'] = (...args) => this.lifecycle.deleteIssueBatch(...args);
  deleteEvent: Store['deleteEvent'] = (...args) => this.lifecycle.deleteEvent(...args);
  eraseUserBatch: Store['eraseUserBatch'] = async (...args) => {
    const batch = await this.lifecycle.eraseUserBatch(...args);
    // This process's cache of interned tag ids; other processes' caches are bounded and cycle
    // (docs/operations.md says what that means for an event sent during the erasure).
    if (!batch.more) this.writer.forgetTagIds();
    return batch;
  };
  projectStorageBytes: Store['projectStorageBytes'] = (...args) => this.lifecycle.projectStorageBytes(...args);
  oldestDataTime: Store['oldestDataTime'] = (...args) => this.lifecycle.oldestDataTime(...args);
  // Autovacuum returns dead tuples' space for reuse; nothing to do here.
  reclaimSpace: Store['reclaimSpace'] = async () => 0;

  /** Connects, migrates (under an advisory lock: safe when several processes start at once). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types, Client: NulSafeClient });
    // An idle client's connection error (the server restarted) must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrate(db);
    } catch (error) {
      await db.destroy();
      throw new Error(`PostgreSQL at ${whereIs(options.url)} could not be opened: ${(error as Error).message}`, { cause: error });
    }
    const store = new PostgresStore(db);
    if (options.maintain !== false) {
      // Servers hear other processes' key revocations at once (listener.ts); an admin CLI process
      // only announces them.
      store.listener = new InvalidationListenerConnection(options.url, store.invalidations);
      await store.listener.start();
      store.maintenance = setInterval(() => void migrate(db).catch(() => {}), MAINTENANCE_MS);
      store.maintenance.unref();
    }
    return store;
  }

  /** Copies a stopped SQLite install's database file into this one (copy-from-sqlite.ts). */
  copyFromSqlite(sqlitePath: string, onProgress: (p: CopyProgress) => void): Promise<CopyReport> {
    return copyFromSqlite(sqlitePath, this.db, onProgress);
  }

  async close(): Promise<void> {
    if (this.maintenance) clearInterval(this.maintenance);
    await this.listener?.close();
    await this.writer.close();
    await this.db.destroy();
  }

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.db, name, fn);
  }
  onInvalidation(listener: InvalidationListener): () => void {
    return this.invalidations.subscribe(listener);
  }

  createProject = (input: { name: string; slug?: string }) => this.admin.createProject(input);
  listProjects = () => this.admin.listProjects();
  getProject = (id: number) => this.admin.getProject(id);
  listProjectKeys = (projectId: number) => this.admin.listProjectKeys(projectId);
  findProjectByKey = (publicKey: string) => this.admin.findProjectByKey(publicKey);
  createProjectKey = (projectId: number, label: string) => this.admin.createProjectKey(projectId, label);
  revokeProjectKey = (projectId: number, publicKey: string) => this.admin.revokeProjectKey(projectId, publicKey);
  createToken = (input: { name: string; projectId?: number | null }) => this.admin.createToken(input);
  verifyToken = (token: string) => this.admin.verifyToken(token);
  listTokens = () => this.admin.listTokens();
  revokeToken = (id: number) => this.admin.revokeToken(id);
  // Accounts (store/account-types.ts)
  createUser: Store['createUser'] = (...args) => this.accounts.createUser(...args);
  countUsers: Store['countUsers'] = (...args) => this.accounts.countUsers(...args);
  countOwners: Store['countOwners'] = (...args) => this.accounts.countOwners(...args);
  listUsers: Store['listUsers'] = (...args) => this.accounts.listUsers(...args);
  getUser: Store['getUser'] = (...args) => this.accounts.getUser(...args);
  findUserByEmail: Store['findUserByEmail'] = (...args) => this.accounts.findUserByEmail(...args);
  findUserByOidcSubject: Store['findUserByOidcSubject'] = (...args) => this.accounts.findUserByOidcSubject(...args);
  linkOidcSubject: Store['linkOidcSubject'] = (...args) => this.accounts.linkOidcSubject(...args);
  updateUser: Store['updateUser'] = (...args) => this.accounts.updateUser(...args);
  setPasswordHash: Store['setPasswordHash'] = (...args) => this.accounts.setPasswordHash(...args);
  deleteUser: Store['deleteUser'] = (...args) => this.accounts.deleteUser(...args);
  createSession: Store['createSession'] = (...args) => this.accounts.createSession(...args);
  getSession: Store['getSession'] = (...args) => this.accounts.getSession(...args);
  deleteSession: Store['deleteSession'] = (...args) => this.accounts.deleteSession(...args);
  deleteUserSessions: Store['deleteUserSessions'] = (...args) => this.accounts.deleteUserSessions(...args);
  createPersonalToken: Store['createPersonalToken'] = (...args) => this.accounts.createPersonalToken(...args);
  listPersonalTokens: Store['listPersonalTokens'] = (...args) => this.accounts.listPersonalTokens(...args);
  revokePersonalToken: Store['revokePersonalToken'] = (...args) => this.accounts.revokePersonalToken(...args);
  verifyApiToken: Store['verifyApiToken'] = (...args) => this.accounts.verifyApiToken(...args);
  createOneTimeLink: Store['createOneTimeLink'] = (...args) => this.records.createOneTimeLink(...args);
  consumeOneTimeLink: Store['consumeOneTimeLink'] = (...args) => this.records.consumeOneTimeLink(...args);
  peekOneTimeLink: Store['peekOneTimeLink'] = (...args) => this.records.peekOneTimeLink(...args);
  listOneTimeLinks: Store['listOneTimeLinks'] = (...args) => this.records.listOneTimeLinks(...args);
  deleteOneTimeLink: Store['deleteOneTimeLink'] = (...args) => this.records.deleteOneTimeLink(...args);
  deleteOneTimeLinks: Store['deleteOneTimeLinks'] = (...args) => this.records.deleteOneTimeLinks(...args);
  appendAudit: Store['appendAudit'] = (...args) => this.records.appendAudit(...args);
  listAudit: Store['listAudit'] = (...args) => this.records.listAudit(...args);
  getProjectSettings: Store['getProjectSettings'] = (...args) => this.records.getProjectSettings(...args);
  updateProject: Store['updateProject'] = (...args) => this.records.updateProject(...args);
  deleteProject: Store['deleteProject'] = (...args) => this.records.deleteProject(...args);
  renameProjectKey: Store['renameProjectKey'] = (...args) => this.records.renameProjectKey(...args);
  // Ingest policies and outcomes (store/ingest-policy-types.ts)
  getIngestPolicy: Store['getIngestPolicy'] = (...args) => this.policies.getIngestPolicy(...args);
  listIngestPolicies: Store['listIngestPolicies'] = () => this.policies.listIngestPolicies();
  putIngestPolicy: Store['putIngestPolicy'] = (...args) => this.policies.putIngestPolicy(...args);
  addOutcomes: Store['addOutcomes'] = (...args) => this.policies.addOutcomes(...args);
  listOutcomes: Store['listOutcomes'] = (...args) => this.policies.listOutcomes(...args);
  leaseRateTokens: Store['leaseRateTokens'] = (...args) => this.policies.leaseRateTokens(...args);
  pruneRateBuckets: Store['pruneRateBuckets'] = () => this.policies.pruneRateBuckets();
  // Fingerprint rules (store/fingerprint-rule-types.ts); the change is announced by NOTIFY.
  getFingerprintRules: Store['getFingerprintRules'] = (...args) => this.fingerprintRules.getFingerprintRules(...args);
  listFingerprintRules: Store['listFingerprintRules'] = () => this.fingerprintRules.listFingerprintRules();
  putFingerprintRules: Store['putFingerprintRules'] = (...args) => this.fingerprintRules.putFingerprintRules(...args);

  /** Resolves after the COMMIT holding these rows returned (durable: synchronous_commit is on by default). */
  write(events: DigestedEvent[], raw: RawItem[], telemetry: TelemetryBatch[] = []): Promise<WriteOutcome[]> {
    return this.writer.write(events.map(withoutNulInEvent), raw, telemetry);
  }

  listIssues: IssueQueries['listIssues'] = (query) => this.issues.listIssues(query);
  mergeIssues: Store['mergeIssues'] = (...args) => this.merges.mergeIssues(...args);
  unmergeIssues: Store['unmergeIssues'] = (...args) => this.merges.unmergeIssues(...args);
  issueFingerprints: Store['issueFingerprints'] = (...args) => this.merges.issueFingerprints(...args);
  assignIssues: Store['assignIssues'] = (...args) => this.workflow.assignIssues(...args);
  projectIssueIds: Store['projectIssueIds'] = (...args) => this.workflow.projectIssueIds(...args);
  recordActivity: Store['recordActivity'] = (...args) => this.workflow.recordActivity(...args);
  listActivity: Store['listActivity'] = (...args) => this.workflow.listActivity(...args);
  getIssue: IssueQueries['getIssue'] = (id) => this.issues.getIssue(id);
  setIssueStatus: IssueQueries['setIssueStatus'] = (id, status) => this.issues.setIssueStatus(id, status);
  setIssuesStatus = (projectId: number, ids: number[], status: Parameters<IssueQueries['setIssuesStatus']>[2]) =>
    this.issues.setIssuesStatus(projectId, ids, status);
  listEvents: EventQueries['listEvents'] = (...args) => this.events.listEvents(...args);
  /** The record the reshaped Store interface returns (the API view is built above the store). */
  getEvent: EventQueries['getEvent'] = (...args) => this.events.getEvent(...args);
  eventNeighbors: EventQueries['eventNeighbors'] = (...args) => this.events.eventNeighbors(...args);
  issueStats: StatsQueries['issueStats'] = (...args) => this.stats.issueStats(...args);
  issueTagDistribution: TagQueries['issueTagDistribution'] = (...args) => this.tags.issueTagDistribution(...args);
  issueTagValues: TagQueries['issueTagValues'] = (...args) => this.tags.issueTagValues(...args);
  projectTagKeys: TagQueries['projectTagKeys'] = (...args) => this.tags.projectTagKeys(...args);
  projectTagValues: TagQueries['projectTagValues'] = (...args) => this.tags.projectTagValues(...args);
  countEvents: AnalyticsQueries['countEvents'] = (...args) => this.analytics.countEvents(...args);
  tagBreakdown: AnalyticsQueries['tagBreakdown'] = (...args) => this.analytics.tagBreakdown(...args);
  eventStats: AnalyticsQueries['eventStats'] = (...args) => this.analytics.eventStats(...args);
  tagValueStats: AnalyticsQueries['tagValueStats'] = (...args) => this.analytics.tagValueStats(...args);
  correlationCounts: AnalyticsQueries['correlationCounts'] = (...args) => this.analytics.correlationCounts(...args);
  searchTraces: TraceQueries['searchTraces'] = (...args) => this.traces.searchTraces(...args);
  traceProjects: TraceQueries['traceProjects'] = (...args) => this.traces.traceProjects(...args);
  getTrace: TraceQueries['getTrace'] = (...args) => this.traces.getTrace(...args);
  traceEvents: TraceQueries['traceEvents'] = (...args) => this.traces.traceEvents(...args);
  setTraceTag: TraceQueries['setTraceTag'] = (...args) => this.traces.setTraceTag(...args);
  deleteTraceTag: TraceQueries['deleteTraceTag'] = (...args) => this.traces.deleteTraceTag(...args);
  tagMatchingTraces: TraceQueries['tagMatchingTraces'] = (...args) => this.traces.tagMatchingTraces(...args);
  listLogs: TraceQueries['listLogs'] = (...args) => this.traces.listLogs(...args);
  tracesPerTagValue: TraceQueries['tracesPerTagValue'] = (...args) => this.traces.tracesPerTagValue(...args);

  upsertRelease: ReleaseQueries['upsertRelease'] = (...args) => this.releases.upsertRelease(...args);
  ensureRelease: ReleaseQueries['ensureRelease'] = (...args) => this.releases.ensureRelease(...args);
  getRelease: ReleaseQueries['getRelease'] = (...args) => this.releases.getRelease(...args);
  listReleases: ReleaseQueries['listReleases'] = (...args) => this.releases.listReleases(...args);
  addDeploy: ReleaseQueries['addDeploy'] = (...args) => this.releases.addDeploy(...args);
  listDeploys: ReleaseQueries['listDeploys'] = (...args) => this.releases.listDeploys(...args);
  resolveIssueInRelease: ReleaseQueries['resolveIssueInRelease'] = (...args) => this.releases.resolveIssueInRelease(...args);
  issueResolution: ReleaseQueries['issueResolution'] = (...args) => this.releases.issueResolution(...args);
  reopenRegressions: ReleaseQueries['reopenRegressions'] = (...args) => this.releases.reopenRegressions(...args);
  releaseResolvedIssues: ReleaseQueries['releaseResolvedIssues'] = (...args) => this.releases.releaseResolvedIssues(...args);
  releaseNewIssueIds: ReleaseQueries['releaseNewIssueIds'] = (...args) => this.releases.releaseNewIssueIds(...args);
  putChunks: ArtifactQueries['putChunks'] = (...args) => this.artifacts.putChunks(...args);
  missingChunks: ArtifactQueries['missingChunks'] = (...args) => this.artifacts.missingChunks(...args);
  readChunks: ArtifactQueries['readChunks'] = (...args) => this.artifacts.readChunks(...args);
  deleteChunks: ArtifactQueries['deleteChunks'] = (...args) => this.artifacts.deleteChunks(...args);
  findBundle: ArtifactQueries['findBundle'] = (...args) => this.artifacts.findBundle(...args);
  saveBundle: ArtifactQueries['saveBundle'] = (...args) => this.artifacts.saveBundle(...args);
  listBundles: ArtifactQueries['listBundles'] = (...args) => this.artifacts.listBundles(...args);
  artifactByDebugId: ArtifactQueries['artifactByDebugId'] = (...args) => this.artifacts.artifactByDebugId(...args);
  artifactByUrl: ArtifactQueries['artifactByUrl'] = (...args) => this.artifacts.artifactByUrl(...args);
  listReleaseFiles: ArtifactQueries['listReleaseFiles'] = (...args) => this.artifacts.listReleaseFiles(...args);
  projectsWithArtifacts: ArtifactQueries['projectsWithArtifacts'] = (...args) => this.artifacts.projectsWithArtifacts(...args);
  /** Committed (durably) before it resolves: a plain transaction on the pool (replay-queries.ts). */
  writeReplaySegments: ReplayQueries['writeSegments'] = (...args) => this.replays.writeSegments(...args);
  listReplays: ReplayQueries['listReplays'] = (...args) => this.replays.listReplays(...args);
  getReplay: ReplayQueries['getReplay'] = (...args) => this.replays.getReplay(...args);
  replaySegments: ReplayQueries['replaySegments'] = (...args) => this.replays.replaySegments(...args);

  // Triage (store/triage-types.ts)
  addIssueComment: Store['addIssueComment'] = (...args) => this.triage.addIssueComment(...args);
  listIssueComments: Store['listIssueComments'] = (...args) => this.triage.listIssueComments(...args);
  getIssueComment: Store['getIssueComment'] = (...args) => this.triage.getIssueComment(...args);
  updateIssueComment: Store['updateIssueComment'] = (...args) => this.triage.updateIssueComment(...args);
  deleteIssueComment: Store['deleteIssueComment'] = (...args) => this.triage.deleteIssueComment(...args);
  snoozeIssue: Store['snoozeIssue'] = async (issueId, conditions, createdBy) => {
    await this.issues.setIssuesStatus(undefined, [issueId], 'ignored');
    return this.triage.recordSnooze(issueId, conditions, createdBy);
  };
  getIssueSnooze: Store['getIssueSnooze'] = (...args) => this.triage.getIssueSnooze(...args);
  clearIssueSnooze: Store['clearIssueSnooze'] = (...args) => this.triage.clearIssueSnooze(...args);
  wakeSnoozedIssues: Store['wakeSnoozedIssues'] = (...args) => this.triage.wakeSnoozedIssues(...args);
  createSavedSearch: Store['createSavedSearch'] = (...args) => this.triage.createSavedSearch(...args);
  listSavedSearches: Store['listSavedSearches'] = (...args) => this.triage.listSavedSearches(...args);
  getSavedSearch: Store['getSavedSearch'] = (...args) => this.triage.getSavedSearch(...args);
  updateSavedSearch: Store['updateSavedSearch'] = (...args) => this.triage.updateSavedSearch(...args);
  deleteSavedSearch: Store['deleteSavedSearch'] = (...args) => this.triage.deleteSavedSearch(...args);
  filteredIssueCounts: Store['filteredIssueCounts'] = (...args) => filteredIssueCounts(this.db, ...args);
  listAlertRules: AlertQueries['listAlertRules'] = (...args) => this.alerts.listAlertRules(...args);
  getAlertRule: AlertQueries['getAlertRule'] = (...args) => this.alerts.getAlertRule(...args);
  createAlertRule: AlertQueries['createAlertRule'] = (...args) => this.alerts.createAlertRule(...args);
  updateAlertRule: AlertQueries['updateAlertRule'] = (...args) => this.alerts.updateAlertRule(...args);
  deleteAlertRule: AlertQueries['deleteAlertRule'] = (...args) => this.alerts.deleteAlertRule(...args);
  enabledAlertRules: AlertQueries['enabledAlertRules'] = (...args) => this.alerts.enabledAlertRules(...args);
  alertEvaluationBatch: AlertQueries['alertEvaluationBatch'] = (...args) => this.alerts.alertEvaluationBatch(...args);
  eventRowsMatching: AlertQueries['eventRowsMatching'] = (...args) => this.alerts.eventRowsMatching(...args);
  issueWindowCounts: AlertQueries['issueWindowCounts'] = (...args) => this.alerts.issueWindowCounts(...args);
  projectWindowCount: AlertQueries['projectWindowCount'] = (...args) => this.alerts.projectWindowCount(...args);
  projectHourlyTotal: AlertQueries['projectHourlyTotal'] = (...args) => this.alerts.projectHourlyTotal(...args);
  alertMessageContext: AlertQueries['alertMessageContext'] = (...args) => this.alerts.alertMessageContext(...args);
  alertThrottleStates: AlertQueries['alertThrottleStates'] = (...args) => this.alerts.alertThrottleStates(...args);
  commitAlertEvaluation: AlertQueries['commitAlertEvaluation'] = (...args) => this.alerts.commitAlertEvaluation(...args);
  issueAlertFirings: AlertQueries['issueAlertFirings'] = (...args) => this.alerts.issueAlertFirings(...args);
  dueOutbox: OutboxQueries['dueOutbox'] = (...args) => this.outbox.dueOutbox(...args);
  recordDeliveryAttempts: OutboxQueries['recordDeliveryAttempts'] = (...args) => this.outbox.recordDeliveryAttempts(...args);
  deliveryLog: OutboxQueries['deliveryLog'] = (...args) => this.outbox.deliveryLog(...args);
  outboxForRule: OutboxQueries['outboxForRule'] = (...args) => this.outbox.outboxForRule(...args);
}
