/** Release input (after its schema, contract/releases.ts) and the JSON shape of a release (Sentry's field names). */
import { HttpError } from '../errors.js';
import type { Deploy as StoredDeploy, DeployInput, ReleaseInput, ReleaseSummary } from '../store/release-types.js';
import type { Project } from '../store/types.js';
import type { Deploy, DeployBody, Release, ReleaseBody } from './contract/releases.js';

/**
 * The grammar of a version beyond its schema (text of 1 to 200 characters): versions name folders
 * and URL segments, so no control characters, no surrounding spaces, not "." ".." or "latest".
 */
export function releaseVersion(value: string, field = 'version'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value) || value.trim() !== value || value === '.' || value === '..' || value === 'latest') {
    throw new HttpError(
      400,
      'invalid_version',
      `${field} ${JSON.stringify(value)} is not a valid release version (no control characters, no surrounding spaces, not "." "..", or "latest")`,
      {},
      { field },
    );
  }
  return value;
}

/** An ISO date (or epoch seconds) as epoch ms; null stays null; undefined means "not given". */
export function dateField(value: string | number | null | undefined, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15)
    throw new HttpError(400, 'invalid_body', `${field} must be an ISO 8601 date`, {}, { field });
  return ms;
}

const COMMIT = /^[0-9a-f]{4,64}$/i;

/** Body of a create or update: Sentry's names (`dateReleased`, `url`) plus `commit` and `repository`. */
export function releaseInput(body: ReleaseBody, version: string): ReleaseInput {
  const input: ReleaseInput = { version };
  const dateReleased = dateField(body.dateReleased, 'dateReleased');
  if (dateReleased !== undefined) input.dateReleased = dateReleased;
  const commit = body.commit !== undefined ? body.commit : body.commitSha;
  if (commit !== undefined) {
    if (commit !== null && !COMMIT.test(commit))
      throw new HttpError(400, 'invalid_body', 'commit must be a hexadecimal commit SHA', {}, { field: 'commit' });
    input.commitSha = commit;
  }
  // sentry-cli `set-commits` sends refs: [{repository, commit}]; the last ref names the head commit.
  const sha = body.refs?.at(-1)?.commit;
  if (sha && COMMIT.test(sha)) input.commitSha = sha;
  const repository = body.repository !== undefined ? body.repository : body.repositoryUrl;
  if (repository !== undefined) input.repositoryUrl = repository;
  if (body.url !== undefined) input.url = body.url;
  return input;
}

export function deployInput(body: DeployBody): DeployInput {
  return {
    environment: body.environment,
    name: body.name ?? null,
    url: body.url ?? null,
    dateStarted: dateField(body.dateStarted, 'dateStarted') ?? null,
    dateFinished: dateField(body.dateFinished, 'dateFinished') ?? null,
  };
}

export const deployJson = (deploy: StoredDeploy): Deploy => ({ ...deploy, id: String(deploy.id) });

/** A release as the API and sentry-cli read it (`dateCreated`, `newGroups`, `projects`...). */
export function releaseJson(release: ReleaseSummary, projects: Project[]): Release {
  return {
    version: release.version,
    shortVersion: release.version.length > 12 && /^[0-9a-f]+$/i.test(release.version) ? release.version.slice(0, 12) : release.version,
    dateCreated: release.createdAt,
    dateReleased: release.dateReleased,
    firstEvent: release.firstEvent,
    lastEvent: release.lastEvent,
    newGroups: release.newIssues,
    eventCount: release.eventCount,
    userCount: release.users,
    commitSha: release.commitSha,
    repositoryUrl: release.repositoryUrl,
    url: release.url,
    deployCount: release.deploys.length,
    lastDeploy: release.deploys[0] ? deployJson(release.deploys[0]) : null,
    deploys: release.deploys.map(deployJson),
    projects: projects.map((p) => ({ id: p.id, slug: p.slug, name: p.name })),
  };
}
