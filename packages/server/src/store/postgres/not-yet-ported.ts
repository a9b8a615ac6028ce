import { HttpError } from '../../errors.js';
import type { ReleaseStore } from '../release-types.js';
import type { ReplayStore } from '../replay-types.js';
import type { AlertStore } from '../alert-types.js';

/**
 * Releases, source maps, replays and alerts landed on SQLite first; their PostgreSQL tables are being
 * ported. Until then each of these methods answers a clear 501 instead of a TypeError. Remove a
 * name here when its method is implemented in this folder.
 */
const NOT_YET_PORTED = [
  'upsertRelease', 'ensureRelease', 'getRelease', 'listReleases', 'addDeploy', 'listDeploys', 'resolveIssueInRelease',
  'issueResolution', 'reopenRegressions', 'releaseResolvedIssues', 'putChunks', 'missingChunks', 'readChunks', 'deleteChunks',
  'findBundle', 'saveBundle', 'listBundles', 'artifactByDebugId', 'artifactByUrl', 'releaseNewIssueIds', 'listReleaseFiles',
  'projectsWithArtifacts', 'writeReplaySegments', 'listReplays', 'getReplay', 'replaySegments',
  'listAlertRules', 'getAlertRule', 'createAlertRule', 'updateAlertRule', 'deleteAlertRule', 'enabledAlertRules', 'alertEvaluationBatch', 'eventRowsMatching', 'issueWindowCounts', 'projectWindowCount', 'projectHourlyTotal', 'alertMessageContext', 'alertThrottleStates', 'commitAlertEvaluation', 'dueOutbox', 'recordDeliveryAttempts', 'deliveryLog', 'outboxForRule', 'issueAlertFirings',
] as const satisfies ReadonlyArray<keyof ReleaseStore | keyof ReplayStore | keyof AlertStore>;

export type NotYetPorted = Pick<ReleaseStore & ReplayStore & AlertStore, (typeof NOT_YET_PORTED)[number]>;

export function notYetPorted(): NotYetPorted {
  const methods: Record<string, () => Promise<never>> = {};
  for (const name of NOT_YET_PORTED) {
    methods[name] = () => Promise.reject(new HttpError(501, 'not_on_postgres_yet', `${name}: releases, source maps, replays and alerts are not available on PostgreSQL yet`));
  }
  return methods as unknown as NotYetPorted;
}
