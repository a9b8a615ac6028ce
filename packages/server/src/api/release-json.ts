/** Validation of release input and the JSON shape of a release (Sentry's field names). */
import { HttpError } from '../errors.js';
import type { Deploy, DeployInput, ReleaseInput, ReleaseSummary } from '../store/release-types.js';
import type { Project } from '../store/types.js';

const MAX_VERSION = 200;

export function releaseVersion(value: unknown, what = 'version'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VERSION) {
    throw new HttpError(400, 'invalid_version', `${what} must be text of 1 to ${MAX_VERSION} characters`);
  }
  if (/[\u0000-\u001f\u007f]/.test(value) || value.trim() !== value || value === '.' || value === '..' || value === 'latest') {
    throw new HttpError(400, 'invalid_version', `${what} ${JSON.stringify(value)} is not a valid release version (no control characters, no surrounding spaces, not "." "..", or "latest")`);
  }
  return value;
}

/** An ISO date (or epoch seconds) as epoch ms; null stays null; undefined means "not given". */
export function dateField(value: unknown, name: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' && value.length <= 64 ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new HttpError(400, 'invalid_body', `${name} must be an ISO 8601 date`);
  return ms;
}

function optionalText(value: unknown, name: string, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > max || /[\u0000-\u001f]/.test(value)) {
    throw new HttpError(400, 'invalid_body', `${name} must be text of at most ${max} characters`);
  }
  return value;
}

function optionalUrl(value: unknown, name: string): string | null | undefined {
  const text = optionalText(value, name, 2048);
  if (text && !/^https?:\/\//i.test(text)) throw new HttpError(400, 'invalid_body', `${name} must be an http(s) URL`);
  return text;
}

/** Body of a create or update: Sentry's names (`dateReleased`, `url`) plus `commit` and `repository`. */
export function releaseInput(body: Record<string, unknown>, version: string): ReleaseInput {
  const input: ReleaseInput = { version };
  const dateReleased = dateField(body.dateReleased, 'dateReleased');
  if (dateReleased !== undefined) input.dateReleased = dateReleased;
  const commit = optionalText(body.commit ?? body.commitSha, 'commit', 64);
  if (commit !== undefined) {
    if (commit !== null && !/^[0-9a-f]{4,64}$/i.test(commit)) throw new HttpError(400, 'invalid_body', 'commit must be a hexadecimal commit SHA');
    input.commitSha = commit;
  }
  // sentry-cli `set-commits` sends refs: [{repository, commit}]; the last ref names the head commit.
  if (Array.isArray(body.refs) && body.refs.length > 0) {
    const ref = body.refs[body.refs.length - 1] as Record<string, unknown>;
    const sha = optionalText(ref?.commit, 'refs[].commit', 64);
    if (sha && /^[0-9a-f]{4,64}$/i.test(sha)) input.commitSha = sha;
  }
  const repository = optionalUrl(body.repository ?? body.repositoryUrl, 'repository');
  if (repository !== undefined) input.repositoryUrl = repository;
  const url = optionalUrl(body.url, 'url');
  if (url !== undefined) input.url = url;
  return input;
}

export function deployInput(body: Record<string, unknown>): DeployInput {
  const environment = optionalText(body.environment, 'environment', 64);
  if (!environment) throw new HttpError(400, 'invalid_body', 'environment is required (text of at most 64 characters)');
  const dateStarted = dateField(body.dateStarted, 'dateStarted');
  const dateFinished = dateField(body.dateFinished, 'dateFinished');
  return {
    environment,
    name: optionalText(body.name, 'name', 200) ?? null,
    url: optionalUrl(body.url, 'url') ?? null,
    dateStarted: dateStarted ?? null,
    dateFinished: dateFinished ?? null,
  };
}

export const deployJson = (deploy: Deploy) => ({ ...deploy, id: String(deploy.id) });

/** A release as the API and sentry-cli read it (`dateCreated`, `newGroups`, `projects`...). */
export function releaseJson(release: ReleaseSummary, projects: Project[]) {
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
