import { HttpError } from '../../errors.js';
import type { ReleaseStore } from '../release-types.js';
import type { ReplayStore } from '../replay-types.js';

/**
 * Releases, source maps and replays landed on SQLite first; their PostgreSQL tables are being
 * ported. Until then each of these methods answers a clear 501 instead of a TypeError. Remove a
 * name here when its method is implemented in this folder.
 */
const NOT_YET_PORTED = [
  'upsertRelease', 'ensureRelease', 'getRelease', 'listReleases', 'addDeploy', 'listDeploys', 'resolveIssueInRelease',
  'issueResolution', 'reopenRegressions', 'releaseResolvedIssues', 'putChunks', 'missingChunks', 'readChunks', 'deleteChunks',
  'findBundle', 'saveBundle', 'listBundles', 'artifactByDebugId', 'artifactByUrl', 'releaseNewIssueIds', 'listReleaseFiles',
  'projectsWithArtifacts', 'writeReplaySegments', 'listReplays', 'getReplay', 'replaySegments',
] as const satisfies ReadonlyArray<keyof ReleaseStore | keyof ReplayStore>;

export type NotYetPorted = Pick<ReleaseStore & ReplayStore, (typeof NOT_YET_PORTED)[number]>;

export function notYetPorted(): NotYetPorted {
  const methods: Record<string, () => Promise<never>> = {};
  for (const name of NOT_YET_PORTED) {
    methods[name] = () => Promise.reject(new HttpError(501, 'not_on_postgres_yet', `${name}: releases, source maps and replays are not available on PostgreSQL yet`));
  }
  return methods as unknown as NotYetPorted;
}
