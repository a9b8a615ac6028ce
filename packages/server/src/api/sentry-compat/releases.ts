/**
 * The organization release endpoints sentry-cli uses (`releases new|finalize|list|info|deploys`,
 * `set-commits`): a release of the organization is the release of that version in each of its
 * projects, so a write applies to the projects named (or, when none are, to those that have it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { ReleaseSummary } from '../../store/release-types.js';
import type { Project, Store } from '../../store/types.js';
import type { Principal } from '../principal.js';
import { limitParam } from '../http.js';
import { deployInput, deployJson, releaseInput, releaseJson, releaseVersion } from '../release-json.js';
import { projectBySlug, projectsFromBody, requireOrgToken, requireOrganization, visibleProjects } from './organization.js';
import { requireToken } from '../auth.js';

const versionParam = (request: FastifyRequest) => releaseVersion((request.params as { version: string }).version);
const bodyOf = (request: FastifyRequest) => {
  const body = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  return (body ?? {}) as Record<string, unknown>;
};

/** The version in each visible project that has it. */
async function releaseInProjects(store: Store, token: Principal, version: string): Promise<Array<{ project: Project; release: ReleaseSummary }>> {
  const found = await Promise.all(
    (await visibleProjects(store, token)).map(async (project) => {
      const release = await store.getRelease(project.id, version);
      return release ? { project, release } : null;
    }),
  );
  return found.filter((f): f is { project: Project; release: ReleaseSummary } => f !== null);
}

function merged(found: Array<{ project: Project; release: ReleaseSummary }>) {
  const [first] = found;
  if (!first) return null;
  const json = releaseJson(first.release, found.map((f) => f.project));
  json.newGroups = found.reduce((n, f) => n + f.release.newIssues, 0);
  json.eventCount = found.reduce((n, f) => n + f.release.eventCount, 0);
  return json;
}

export async function sentryReleaseRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  app.post('/api/0/organizations/:org/releases/', async (request, reply) => {
    const token = await requireOrgToken(request, store);
    const body = bodyOf(request);
    const version = releaseVersion(body.version);
    const projects = await projectsFromBody(store, token, body.projects, false);
    if (projects.length === 0) throw new HttpError(400, 'invalid_body', 'projects must name at least one project');
    const input = releaseInput(body, version);
    let existed = true;
    for (const project of projects) {
      existed &&= (await store.getRelease(project.id, version)) !== undefined;
      await store.upsertRelease(project.id, input);
    }
    reply.code(existed ? 208 : 201);
    return merged(await releaseInProjects(store, token, version));
  });

  app.get('/api/0/organizations/:org/releases/', async (request) => {
    const token = await requireOrgToken(request, store);
    const q = request.query as Record<string, unknown>;
    const limit = limitParam(q.per_page ?? q.limit, 100);
    const byVersion = new Map<string, Array<{ project: Project; release: ReleaseSummary }>>();
    for (const project of await visibleProjects(store, token)) {
      for (const release of await store.listReleases(project.id, limit, typeof q.query === 'string' ? q.query : undefined)) {
        const list = byVersion.get(release.version) ?? [];
        list.push({ project, release });
        byVersion.set(release.version, list);
      }
    }
    return [...byVersion.values()]
      .map((found) => merged(found)!)
      .sort((a, b) => b.dateCreated.localeCompare(a.dateCreated))
      .slice(0, limit);
  });

  app.get('/api/0/projects/:org/:project/releases/', async (request) => {
    requireOrganization(request);
    const token = await requireToken(request, store);
    const project = await projectBySlug(store, token, (request.params as { project: string }).project);
    const q = request.query as Record<string, unknown>;
    const releases = await store.listReleases(project.id, limitParam(q.per_page ?? q.limit, 100), typeof q.query === 'string' ? q.query : undefined);
    return releases.map((r) => releaseJson(r, [project]));
  });

  app.get('/api/0/organizations/:org/releases/:version/', async (request) => {
    const token = await requireOrgToken(request, store);
    const found = merged(await releaseInProjects(store, token, versionParam(request)));
    if (!found) throw new HttpError(404, 'release_not_found', 'release not found');
    return found;
  });

  app.put('/api/0/organizations/:org/releases/:version/', async (request) => {
    const token = await requireOrgToken(request, store);
    const version = versionParam(request);
    const body = bodyOf(request);
    let projects = await projectsFromBody(store, token, body.projects, false);
    if (projects.length === 0) projects = (await releaseInProjects(store, token, version)).map((f) => f.project);
    if (projects.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
    const input = releaseInput(body, version);
    for (const project of projects) await store.upsertRelease(project.id, input);
    return merged(await releaseInProjects(store, token, version));
  });

  app.post('/api/0/organizations/:org/releases/:version/deploys/', async (request, reply) => {
    const token = await requireOrgToken(request, store);
    const version = versionParam(request);
    const body = bodyOf(request);
    const input = deployInput(body);
    let projects = await projectsFromBody(store, token, body.projects, false);
    if (projects.length === 0) projects = (await releaseInProjects(store, token, version)).map((f) => f.project);
    const deploys = [];
    for (const project of projects) {
      const deploy = await store.addDeploy(project.id, version, input);
      if (deploy) deploys.push(deploy);
    }
    if (deploys.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
    reply.code(201);
    return deployJson(deploys[0]!);
  });

  app.get('/api/0/organizations/:org/releases/:version/deploys/', async (request) => {
    const token = await requireOrgToken(request, store);
    const found = await releaseInProjects(store, token, versionParam(request));
    if (found.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
    return found.flatMap((f) => f.release.deploys.map(deployJson));
  });

  app.get('/api/0/organizations/:org/releases/:version/files/', async (request) => {
    const token = await requireOrgToken(request, store);
    const found = await releaseInProjects(store, token, versionParam(request));
    const files = [];
    for (const { project, release } of found) files.push(...(await store.listReleaseFiles(project.id, release.version)));
    return files.map((f) => ({ id: String(f.id), name: f.url, size: f.size, headers: f.sourcemapUrl ? { Sourcemap: f.sourcemapUrl } : {}, type: f.type }));
  });
}
