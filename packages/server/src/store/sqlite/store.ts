import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DigestedEvent, RawItem, Store, WriteOutcome } from '../types.js';
import type { TelemetryBatch } from '../trace-types.js';
import { AccountQueries } from './account-queries.js';
import { AccountRecords } from './account-records.js';
import { AdminQueries } from './admin.js';
import { FingerprintRuleQueries, type FingerprintRuleTables } from '../grouping/fingerprint-rule-queries.js';
import { IngestPolicyQueries } from './ingest-policy-queries.js';
import { AlertQueries } from './alert-queries.js';
import { OutboxQueries } from './outbox-queries.js';
import { AnalyticsQueries } from './analytics-queries.js';
import { ArtifactQueries } from './artifact-queries.js';
import { EventQueries } from './event-queries.js';
import { IssueQueries } from './issue-queries.js';
import { LifecycleQueries } from './lifecycle-queries.js';
import { IssueWorkflowQueries, type IssueWorkflowTables } from '../triage/issue-workflow-queries.js';
import { MergeQueries } from './merge-queries.js';
import { ReleaseQueries } from './release-queries.js';
import { StatsQueries } from './stats-queries.js';
import { TagQueries } from './tag-queries.js';
import { ReplayQueries } from './replay-queries.js';
import { TraceQueries } from './trace-queries.js';
import { configureConnection, migrate } from './schema.js';
import { filteredIssueCounts } from './filtered-counts.js';
import { TriageQueries } from '../triage/queries.js';
import type { TriageTables } from '../triage/tables.js';
import type { ReleaseTables } from './release-tables.js';
import type { Tables } from './tables.js';
import { WriterClient } from './write-path/writer-client.js';
import { AlertWrites, type AlertWriteTask } from './write-path/alert-writes.js';
import { InvalidationHub, LocalLocks, type InvalidationListener } from '../invalidation.js';

export const DATABASE_FILE = 'proliferate.sqlite3';

export interface SqliteStoreOptions {
  dataDir: string;
  /** CLI commands use the store without the writer thread. */
  withWriter?: boolean;
}

/**
 * The embedded store: reads and admin writes on this thread through Kysely, event writes on a
 * dedicated writer thread with group commit.
 */
export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly connection: Database.Database;
  private readonly db: Kysely<Tables>;
  private readonly writer: WriterClient | null;
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
  private readonly releases: ReleaseQueries;
  private readonly artifacts: ArtifactQueries;
  private readonly replays: ReplayQueries;
  private readonly alerts: AlertQueries;
  private readonly outbox: OutboxQueries;
  private readonly accounts: AccountQueries;
  private readonly records: AccountRecords;
  private readonly invalidations = new InvalidationHub();
  private readonly locks = new LocalLocks();
  private readonly lifecycle: LifecycleQueries;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, DATABASE_FILE);
    this.connection = new Database(path);
    configureConnection(this.connection, 'admin');
    migrate(this.connection);
    this.db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: this.connection }) });
    this.writer = options.withWriter === false ? null : new WriterClient(path);
    this.admin = new AdminQueries(this.db);
    this.policies = new IngestPolicyQueries(this.db);
    this.fingerprintRules = new FingerprintRuleQueries(this.db as unknown as Kysely<FingerprintRuleTables>);
    this.issues = new IssueQueries(this.db);
    this.triage = new TriageQueries(this.db as unknown as Kysely<TriageTables>);
    this.workflow = new IssueWorkflowQueries(this.db as unknown as Kysely<IssueWorkflowTables>);
    this.merges = new MergeQueries(this.connection);
    this.events = new EventQueries(this.db);
    this.tags = new TagQueries(this.db);
    this.stats = new StatsQueries(this.db);
    this.analytics = new AnalyticsQueries(this.db);
    this.traces = new TraceQueries(this.db);
    this.releases = new ReleaseQueries(this.db.withTables<ReleaseTables>());
    this.artifacts = new ArtifactQueries(this.db.withTables<ReleaseTables>());
    this.replays = new ReplayQueries(this.connection);
    // The alert engine's write transactions run on the writer thread, between ingest batches
    // (write-path/alert-writes.ts); a store without one (CLI) runs them on its own connection.
    let local: AlertWrites | undefined;
    const alertWrite = (task: AlertWriteTask) => {
      if (this.writer) return this.writer.alertWrite(task);
      try {
        return Promise.resolve((local ??= new AlertWrites(this.connection)).run(task));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    this.alerts = new AlertQueries(this.db, this.connection, alertWrite);
    this.outbox = new OutboxQueries(this.db, this.connection, alertWrite);
    this.accounts = new AccountQueries(this.db);
    this.records = new AccountRecords(this.db);
    this.lifecycle = new LifecycleQueries(this.connection);
  }

  async close(): Promise<void> {
    await this.writer?.close();
    await this.db.destroy();
  }

  createProject = (input: { name: string; slug?: string }) => this.admin.createProject(input);
  listProjects = () => this.admin.listProjects();
  getProject = (id: number) => this.admin.getProject(id);
  listProjectKeys = (projectId: number) => this.admin.listProjectKeys(projectId);
  findProjectByKey = (publicKey: string) => this.admin.findProjectByKey(publicKey);
  createProjectKey = (projectId: number, label: string) => this.admin.createProjectKey(projectId, label);
  async revokeProjectKey(projectId: number, publicKey: string): Promise<'revoked' | 'not_found' | 'last_key'> {
    const outcome = await this.admin.revokeProjectKey(projectId, publicKey);
    if (outcome === 'revoked') this.invalidations.emit({ kind: 'project_key', publicKey });
    return outcome;
  }
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }
  onInvalidation(listener: InvalidationListener): () => void {
    return this.invalidations.subscribe(listener);
  }
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
  async deleteProject(projectId: number): Promise<string[] | undefined> {
    const keys = await this.records.deleteProject(projectId);
    if (keys) this.invalidations.emit({ kind: 'project', projectId, publicKeys: keys });
    return keys;
  }
  renameProjectKey: Store['renameProjectKey'] = (...args) => this.records.renameProjectKey(...args);
  // Ingest policies and outcomes (store/ingest-policy-types.ts)
  getIngestPolicy: Store['getIngestPolicy'] = (...args) => this.policies.getIngestPolicy(...args);
  listIngestPolicies: Store['listIngestPolicies'] = () => this.policies.listIngestPolicies();
  putIngestPolicy: Store['putIngestPolicy'] = (...args) => this.policies.putIngestPolicy(...args);
  addOutcomes: Store['addOutcomes'] = (...args) => this.policies.addOutcomes(...args);
  listOutcomes: Store['listOutcomes'] = (...args) => this.policies.listOutcomes(...args);
  leaseRateTokens: Store['leaseRateTokens'] = (...args) => this.policies.leaseRateTokens(...args);
  pruneRateBuckets: Store['pruneRateBuckets'] = () => this.policies.pruneRateBuckets();
  // Fingerprint rules (store/fingerprint-rule-types.ts); one process, so the change is announced here.
  getFingerprintRules: Store['getFingerprintRules'] = (...args) => this.fingerprintRules.getFingerprintRules(...args);
  listFingerprintRules: Store['listFingerprintRules'] = () => this.fingerprintRules.listFingerprintRules();
  async putFingerprintRules(projectId: number, rules: string) {
    const stored = await this.fingerprintRules.putFingerprintRules(projectId, rules);
    this.invalidations.emit({ kind: 'fingerprint_rules', projectId });
    return stored;
  }

  // Data lifecycle (lifecycle-queries.ts): each deletion first has the writer apply what it gathered.
  getProjectRetention: Store['getProjectRetention'] = async (projectId) => this.lifecycle.getProjectRetention(projectId);
  setProjectRetention: Store['setProjectRetention'] = async (projectId, settings) => this.lifecycle.setProjectRetention(projectId, settings);
  // With the writer thread (the server), deletions run there between ingest batches, paced
  // (write-path/lifecycle-jobs.ts); without it (the CLI), here on the admin connection.
  purgeOlderThan: Store['purgeOlderThan'] = (...args) =>
    this.writer ? this.writer.lifecycle('purgeOlderThan', args) : this.beforeDeleting(() => this.lifecycle.purgeOlderThan(...args));
  deleteIssueBatch: Store['deleteIssueBatch'] = (...args) =>
    this.writer ? this.writer.lifecycle('deleteIssueBatch', args) : this.beforeDeleting(() => this.lifecycle.deleteIssueBatch(...args));
  deleteEvent: Store['deleteEvent'] = (...args) =>
    this.writer ? this.writer.lifecycle('deleteEvent', args) : this.beforeDeleting(() => this.lifecycle.deleteEvent(...args));
  eraseUserBatch: Store['eraseUserBatch'] = (...args) =>
    this.writer ? this.writer.lifecycle('eraseUserBatch', args) : this.beforeDeleting(() => this.lifecycle.eraseUserBatch(...args));
  projectStorageBytes: Store['projectStorageBytes'] = (projectId) => this.afterWrites(async () => this.lifecycle.projectStorageBytes(projectId));
  oldestDataTime: Store['oldestDataTime'] = async (projectId) => this.lifecycle.oldestDataTime(projectId);
  reclaimSpace: Store['reclaimSpace'] = async () => {
    // 256 pages (4 MiB) at a time: moving pages from the end of the file writes them to the WAL.
    return this.writer ? this.writer.lifecycle<number>('reclaimSpace', [256]) : this.lifecycle.reclaimSpace(256);
  };

  /** Without the writer thread (CLI): waits for the server's writer to apply its journal, then deletes here. */
  private async beforeDeleting<T>(run: () => T): Promise<T> {
    await this.lifecycle.awaitJournal();
    return run();
  }

  /** A consistent copy of the database while the server runs (SQLite's online backup API). */
  backupTo(file: string): Promise<unknown> {
    return this.connection.backup(file);
  }

  write(events: DigestedEvent[], raw: RawItem[], telemetry: TelemetryBatch[] = []): Promise<WriteOutcome[]> {
    if (!this.writer) return Promise.reject(new Error('this store was opened without a writer'));
    return this.writer.write(events, raw, telemetry);
  }

  /**
   * Reads of issues, events, tags and counts run once the derived rows (tag rows, counts, rollups)
   * of every acknowledged write are applied: the writer gathers them across busy batches, and a
   * client that reads right after its ack must see its event counted.
   */
  private async afterWrites<T>(read: () => Promise<T>): Promise<T> {
    await this.writer?.settled();
    return read();
  }

  listIssues: IssueQueries['listIssues'] = (query) => this.afterWrites(() => this.issues.listIssues(query));
  getIssue: IssueQueries['getIssue'] = (id) => this.afterWrites(() => this.issues.getIssue(id));
  setIssueStatus: IssueQueries['setIssueStatus'] = (id, status) => this.afterWrites(() => this.issues.setIssueStatus(id, status));
  setIssuesStatus = (projectId: number, ids: number[], status: Parameters<IssueQueries['setIssuesStatus']>[2]) =>
    this.issues.setIssuesStatus(projectId, ids, status);
  mergeIssues: Store['mergeIssues'] = (projectId, targetId, sourceIds) => this.moveEvents(() => this.merges.mergeIssues(projectId, targetId, sourceIds), targetId);
  unmergeIssues: Store['unmergeIssues'] = (projectId, targetId, originIds) => this.moveEvents(() => this.merges.unmergeIssues(projectId, targetId, originIds), targetId);
  issueFingerprints: Store['issueFingerprints'] = (issueId) => this.afterWrites(async () => this.merges.issueFingerprints(issueId));

  /**
   * A merge or unmerge between two flushes of the writer: an event the writer committed just before
   * the move is moved with the others, but its gathered rows (tag rows, counts) were keyed to its
   * old issue; the second flush applies them and the recount puts them where the event now is.
   */
  private async moveEvents(move: () => number[], targetId: number): Promise<number[]> {
    await this.writer?.settled(true);
    const moved = move();
    if (moved.length > 0 && this.writer) {
      await this.writer.settled(true);
      this.merges.recount([targetId, ...moved]);
    }
    return moved;
  }
  assignIssues: Store['assignIssues'] = (...args) => this.workflow.assignIssues(...args);
  projectIssueIds: Store['projectIssueIds'] = (...args) => this.workflow.projectIssueIds(...args);
  recordActivity: Store['recordActivity'] = (...args) => this.workflow.recordActivity(...args);
  listActivity: Store['listActivity'] = (...args) => this.workflow.listActivity(...args);
  listEvents: EventQueries['listEvents'] = (...args) => this.afterWrites(() => this.events.listEvents(...args));
  getEvent: EventQueries['getEvent'] = (...args) => this.afterWrites(() => this.events.getEvent(...args));
  eventNeighbors: EventQueries['eventNeighbors'] = (...args) => this.afterWrites(() => this.events.eventNeighbors(...args));
  issueStats: StatsQueries['issueStats'] = (...args) => this.afterWrites(() => this.stats.issueStats(...args));
  issueTagDistribution: TagQueries['issueTagDistribution'] = (...args) => this.afterWrites(() => this.tags.issueTagDistribution(...args));
  issueTagValues: TagQueries['issueTagValues'] = (...args) => this.afterWrites(() => this.tags.issueTagValues(...args));
  projectTagKeys: TagQueries['projectTagKeys'] = (...args) => this.afterWrites(() => this.tags.projectTagKeys(...args));
  projectTagValues: TagQueries['projectTagValues'] = (...args) => this.afterWrites(() => this.tags.projectTagValues(...args));
  countEvents: AnalyticsQueries['countEvents'] = (...args) => this.afterWrites(() => this.analytics.countEvents(...args));
  tagBreakdown: AnalyticsQueries['tagBreakdown'] = (...args) => this.afterWrites(() => this.analytics.tagBreakdown(...args));
  eventStats: AnalyticsQueries['eventStats'] = (...args) => this.afterWrites(() => this.analytics.eventStats(...args));
  tagValueStats: AnalyticsQueries['tagValueStats'] = (...args) => this.afterWrites(() => this.analytics.tagValueStats(...args));
  correlationCounts: AnalyticsQueries['correlationCounts'] = (...args) => this.afterWrites(() => this.analytics.correlationCounts(...args));
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
  getRelease: ReleaseQueries['getRelease'] = (...args) => this.afterWrites(() => this.releases.getRelease(...args));
  listReleases: ReleaseQueries['listReleases'] = (...args) => this.afterWrites(() => this.releases.listReleases(...args));
  releaseNewIssueIds: ReleaseQueries['releaseNewIssueIds'] = (...args) => this.afterWrites(() => this.releases.releaseNewIssueIds(...args));
  addDeploy: ReleaseQueries['addDeploy'] = (...args) => this.releases.addDeploy(...args);
  listDeploys: ReleaseQueries['listDeploys'] = (...args) => this.releases.listDeploys(...args);
  resolveIssueInRelease: ReleaseQueries['resolveIssueInRelease'] = (...args) => this.afterWrites(() => this.releases.resolveIssueInRelease(...args));
  issueResolution: ReleaseQueries['issueResolution'] = (...args) => this.releases.issueResolution(...args);
  reopenRegressions: ReleaseQueries['reopenRegressions'] = (...args) => this.releases.reopenRegressions(...args);
  releaseResolvedIssues: ReleaseQueries['releaseResolvedIssues'] = () => this.releases.releaseResolvedIssues();
  putChunks: ArtifactQueries['putChunks'] = (...args) => this.artifacts.putChunks(...args);
  missingChunks: ArtifactQueries['missingChunks'] = (...args) => this.artifacts.missingChunks(...args);
  readChunks: ArtifactQueries['readChunks'] = (...args) => this.artifacts.readChunks(...args);
  deleteChunks: ArtifactQueries['deleteChunks'] = (...args) => this.artifacts.deleteChunks(...args);
  findBundle: ArtifactQueries['findBundle'] = (...args) => this.artifacts.findBundle(...args);
  saveBundle: ArtifactQueries['saveBundle'] = async (...args) => {
    const bundle = await this.artifacts.saveBundle(...args);
    this.invalidations.emit({ kind: 'artifacts', projectId: bundle.projectId });
    return bundle;
  };
  listBundles: ArtifactQueries['listBundles'] = (...args) => this.artifacts.listBundles(...args);
  artifactByDebugId: ArtifactQueries['artifactByDebugId'] = (...args) => this.artifacts.artifactByDebugId(...args);
  artifactByUrl: ArtifactQueries['artifactByUrl'] = (...args) => this.artifacts.artifactByUrl(...args);
  listReleaseFiles: ArtifactQueries['listReleaseFiles'] = (...args) => this.artifacts.listReleaseFiles(...args);
  projectsWithArtifacts: ArtifactQueries['projectsWithArtifacts'] = () => this.artifacts.projectsWithArtifacts();
  writeReplaySegments: Store['writeReplaySegments'] = async (...args) => this.replays.writeSegments(...args);
  listReplays: Store['listReplays'] = (...args) => this.afterWrites(async () => this.replays.listReplays(...args));
  getReplay: Store['getReplay'] = (...args) => this.afterWrites(async () => this.replays.getReplay(...args));
  replaySegments: Store['replaySegments'] = async (...args) => this.replays.replaySegments(...args);
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

  // Triage (store/triage-types.ts)
  addIssueComment: Store['addIssueComment'] = (...args) => this.triage.addIssueComment(...args);
  listIssueComments: Store['listIssueComments'] = (...args) => this.triage.listIssueComments(...args);
  getIssueComment: Store['getIssueComment'] = (...args) => this.triage.getIssueComment(...args);
  updateIssueComment: Store['updateIssueComment'] = (...args) => this.triage.updateIssueComment(...args);
  deleteIssueComment: Store['deleteIssueComment'] = (...args) => this.triage.deleteIssueComment(...args);
  // The snooze keeps the issue's count at that moment: every acknowledged event must be counted.
  snoozeIssue: Store['snoozeIssue'] = (issueId, conditions, createdBy) =>
    this.afterWrites(async () => {
      await this.issues.setIssuesStatus(undefined, [issueId], 'ignored');
      return this.triage.recordSnooze(issueId, conditions, createdBy);
    });
  getIssueSnooze: Store['getIssueSnooze'] = (...args) => this.triage.getIssueSnooze(...args);
  clearIssueSnooze: Store['clearIssueSnooze'] = (...args) => this.triage.clearIssueSnooze(...args);
  // Counts matter only to a snooze until N events or users; a time alone needs no flush of the writer
  // (an issue read flushes once more for its own query, and under saturated ingest each flush waits a batch).
  wakeSnoozedIssues: Store['wakeSnoozedIssues'] = async (...args) =>
    (await this.triage.hasCountedSnoozes()) ? this.afterWrites(() => this.triage.wakeSnoozedIssues(...args)) : this.triage.wakeSnoozedIssues(...args);
  createSavedSearch: Store['createSavedSearch'] = (...args) => this.triage.createSavedSearch(...args);
  listSavedSearches: Store['listSavedSearches'] = (...args) => this.triage.listSavedSearches(...args);
  getSavedSearch: Store['getSavedSearch'] = (...args) => this.triage.getSavedSearch(...args);
  updateSavedSearch: Store['updateSavedSearch'] = (...args) => this.triage.updateSavedSearch(...args);
  deleteSavedSearch: Store['deleteSavedSearch'] = (...args) => this.triage.deleteSavedSearch(...args);
  filteredIssueCounts: Store['filteredIssueCounts'] = (...args) => this.afterWrites(() => filteredIssueCounts(this.db, ...args));
}
