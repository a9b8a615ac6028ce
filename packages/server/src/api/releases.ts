/**
 * Releases of a project (`/api/0/projects/{id}/releases/...`), their deploys and artifacts, and
 * resolution by release for issues (Sentry's `statusDetails: {inRelease | inNextRelease}`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { ReleaseTracker } from '../ingest/release-tracker.js';
import type { IssueResolution } from '../store/release-types.js';
import type { Issue, Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { limitParam } from './http.js';
import { deployInput, deployJson, releaseInput, releaseJson, releaseVersion } from './release-json.js';

const versionParam = (request: FastifyRequest) => releaseVersion((request.params as { version: string }).version);
const bodyOf = (request: FastifyRequest) => {
  const body = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  return (body ?? {}) as Record<string, unknown>;
};

/** `statusDetails` of an issue update: `{inNextRelease: true}` or `{inRelease: "1.2.0"}`; null if neither. */
export function resolutionFrom(details: unknown): IssueResolution | null {
  if (details === undefined || details === null) return null;
  if (typeof details !== 'object' || Array.isArray(details)) throw new HttpError(400, 'invalid_body', 'statusDetails must be an object');
  const d = details as Record<string, unknown>;
  if (d.inNextRelease === true) return { kind: 'next_release' };
  if (d.inRelease !== undefined) {
    if (d.inRelease === 'latest') throw new HttpError(400, 'invalid_body', 'statusDetails.inRelease must name a release version');
    return { kind: 'release', version: releaseVersion(d.inRelease, 'statusDetails.inRelease') };
  }
  return null;
}

/** Resolves an issue in a release; the regression check in ingest learns it at once. */
export async function resolveInRelease(store: Store, releases: ReleaseTracker, issue: Issue, resolution: IssueResolution) {
  const result = await store.resolveIssueInRelease(issue.id, resolution);
  if (!result) throw new HttpError(404, 'release_not_found', resolution.kind === 'release' ? `release ${resolution.version} not found in this project` : 'issue not found');
  const floors = await store.releaseResolvedIssues();
  releases.noteResolution(issue.id, floors.get(issue.id) ?? null);
  return result;
}

export async function releaseRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  app.get('/api/0/projects/:projectId/releases/', async (request) => {
    const { project } = await requireProject(request, store);
    const q = request.query as Record<string, unknown>;
    const query = typeof q.query === 'string' && q.query.length <= 200 ? q.query : undefined;
    const releases = await store.listReleases(project.id, limitParam(q.limit, 50), query);
    return releases.map((r) => releaseJson(r, [project]));
  });

  app.post('/api/0/projects/:projectId/releases/', async (request, reply) => {
    const { project } = await requireProject(request, store);
    const body = bodyOf(request);
    const version = releaseVersion(body.version);
    const existed = (await store.getRelease(project.id, version)) !== undefined;
    await store.upsertRelease(project.id, releaseInput(body, version));
    reply.code(existed ? 200 : 201);
    return releaseJson((await store.getRelease(project.id, version))!, [project]);
  });

  app.get('/api/0/projects/:projectId/releases/:version/', async (request) => {
    const { project } = await requireProject(request, store);
    const release = await store.getRelease(project.id, versionParam(request));
    if (!release) throw new HttpError(404, 'release_not_found', 'release not found');
    return releaseJson(release, [project]);
  });

  /** Updates fields; `{"finalize": true}` (or a dateReleased) marks it released. */
  app.put('/api/0/projects/:projectId/releases/:version/', async (request) => {
    const { project } = await requireProject(request, store);
    const version = versionParam(request);
    if (!(await store.getRelease(project.id, version))) throw new HttpError(404, 'release_not_found', 'release not found');
    const body = bodyOf(request);
    const input = releaseInput(body, version);
    if (body.finalize === true && input.dateReleased === undefined) input.dateReleased = Date.now();
    await store.upsertRelease(project.id, input);
    return releaseJson((await store.getRelease(project.id, version))!, [project]);
  });

  /** The issues first seen in this release ("new issues"), newest first. */
  app.get('/api/0/projects/:projectId/releases/:version/issues/', async (request) => {
    const { project } = await requireProject(request, store);
    const version = versionParam(request);
    if (!(await store.getRelease(project.id, version))) throw new HttpError(404, 'release_not_found', 'release not found');
    const ids = await store.releaseNewIssueIds(project.id, version, limitParam((request.query as Record<string, unknown>).limit, 50));
    return (await Promise.all(ids.map((id) => store.getIssue(id)))).filter((i) => i !== undefined);
  });

  app.get('/api/0/projects/:projectId/releases/:version/deploys/', async (request) => {
    const { project } = await requireProject(request, store);
    const deploys = await store.listDeploys(project.id, versionParam(request));
    if (!deploys) throw new HttpError(404, 'release_not_found', 'release not found');
    return deploys.map(deployJson);
  });

  app.post('/api/0/projects/:projectId/releases/:version/deploys/', async (request, reply) => {
    const { project } = await requireProject(request, store);
    const deploy = await store.addDeploy(project.id, versionParam(request), deployInput(bodyOf(request)));
    if (!deploy) throw new HttpError(404, 'release_not_found', 'release not found');
    reply.code(201);
    return deployJson(deploy);
  });

  app.get('/api/0/projects/:projectId/releases/:version/files/', async (request) => {
    const { project } = await requireProject(request, store);
    return store.listReleaseFiles(project.id, versionParam(request));
  });

  app.get('/api/0/projects/:projectId/artifact-bundles/', async (request) => {
    const { project } = await requireProject(request, store);
    return store.listBundles(project.id, limitParam((request.query as Record<string, unknown>).limit, 50));
  });
}
