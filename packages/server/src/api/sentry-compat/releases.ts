/**
 * The organization release endpoints sentry-cli uses (`releases new|finalize|list|info|deploys`,
 * `set-commits`): a release of the organization is the release of that version in each of its
 * projects, so a write applies to the projects named (or, when none are, to those that have it).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { ReleaseSummary } from '../../store/release-types.js';
import type { Project, Store } from '../../store/types.js';
import type { Principal } from '../principal.js';
import { requireToken } from '../auth.js';
import { errors } from '../contract/common.js';
import { Deploy, DeployBody, Release, ReleaseBody, SentryReleaseFile, Version } from '../contract/releases.js';
import { deployInput, deployJson, releaseInput, releaseJson, releaseVersion } from '../release-json.js';
import { typed } from '../typed.js';
import {
  OrgParams,
  OrgSlug,
  ProjectSlug,
  projectBySlug,
  projectsFromBody,
  requireOrganization,
  requireOrgToken,
  SENTRY_CLI_TAGS as tags,
  visibleProjects,
} from './organization.js';

const OrgReleaseParams = Type.Object({ org: OrgSlug, version: Version });
const PageSize = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1 to 100 (default 100)' }));
/** sentry-cli pages with `per_page`; `limit` as the rest of the API. */
const ListQuery = Type.Object({
  per_page: PageSize,
  limit: PageSize,
  query: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the version' })),
});
/** sentry-cli's PUT (finalize, set-commits) may come without a body. */
const emptyBody = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** The version in each visible project that has it. */
async function releaseInProjects(
  store: Store,
  token: Principal,
  version: string,
): Promise<Array<{ project: Project; release: ReleaseSummary }>> {
  const found = await Promise.all(
    (await visibleProjects(store, token)).map(async (project) => {
      const release = await store.getRelease(project.id, version);
      return release ? { project, release } : null;
    }),
  );
  return found.filter((f): f is { project: Project; release: ReleaseSummary } => f !== null);
}

function merged(found: Array<{ project: Project; release: ReleaseSummary }>): Release | null {
  const [first] = found;
  if (!first) return null;
  const json = releaseJson(
    first.release,
    found.map((f) => f.project),
  );
  json.newGroups = found.reduce((n, f) => n + f.release.newIssues, 0);
  json.eventCount = found.reduce((n, f) => n + f.release.eventCount, 0);
  return json;
}

export async function sentryReleaseRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  app.post(
    '/api/0/organizations/:org/releases/',
    {
      schema: {
        tags,
        summary: 'Create a release in the projects named (sentry-cli releases new); 208 when it existed',
        params: OrgParams,
        body: Type.Object({ ...ReleaseBody.properties, version: Version }),
        response: { 201: Release, 208: Release, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const body = request.body;
      const version = releaseVersion(body.version);
      const projects = await projectsFromBody(store, token, body.projects, false);
      if (projects.length === 0)
        throw new HttpError(400, 'invalid_body', 'projects must name at least one project', {}, { field: 'projects' });
      const input = releaseInput(body, version);
      let existed = true;
      for (const project of projects) {
        existed &&= (await store.getRelease(project.id, version)) !== undefined;
        await store.upsertRelease(project.id, input);
      }
      reply.code(existed ? 208 : 201);
      return merged(await releaseInProjects(store, token, version))!;
    },
  );

  app.get(
    '/api/0/organizations/:org/releases/',
    {
      schema: {
        tags,
        summary: "The organization's releases, newest first, each with the projects that have it",
        params: OrgParams,
        querystring: ListQuery,
        response: { 200: Type.Array(Release), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const limit = request.query.per_page ?? request.query.limit ?? 100;
      const byVersion = new Map<string, Array<{ project: Project; release: ReleaseSummary }>>();
      for (const project of await visibleProjects(store, token)) {
        for (const release of await store.listReleases(project.id, limit, request.query.query)) {
          const list = byVersion.get(release.version) ?? [];
          list.push({ project, release });
          byVersion.set(release.version, list);
        }
      }
      return [...byVersion.values()]
        .map((found) => merged(found)!)
        .sort((a, b) => b.dateCreated.localeCompare(a.dateCreated))
        .slice(0, limit);
    },
  );

  app.get(
    '/api/0/projects/:org/:project/releases/',
    {
      schema: {
        tags,
        summary: "A project's releases by organization and project slug (sentry-cli releases list --project)",
        params: Type.Object({ org: OrgSlug, project: ProjectSlug }),
        querystring: ListQuery,
        response: { 200: Type.Array(Release), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      requireOrganization(request.params.org);
      const token = await requireToken(request, store);
      const project = await projectBySlug(store, token, request.params.project);
      const releases = await store.listReleases(project.id, request.query.per_page ?? request.query.limit ?? 100, request.query.query);
      return releases.map((r) => releaseJson(r, [project]));
    },
  );

  app.get(
    '/api/0/organizations/:org/releases/:version/',
    {
      schema: {
        tags,
        summary: 'One release across the projects that have it (sentry-cli releases info)',
        params: OrgReleaseParams,
        response: { 200: Release, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const found = merged(await releaseInProjects(store, token, releaseVersion(request.params.version)));
      if (!found) throw new HttpError(404, 'release_not_found', 'release not found');
      return found;
    },
  );

  app.put(
    '/api/0/organizations/:org/releases/:version/',
    {
      schema: {
        tags,
        summary: 'Update a release in the projects named, or in those that have it (sentry-cli releases finalize, set-commits)',
        params: OrgReleaseParams,
        body: ReleaseBody,
        response: { 200: Release, ...errors(400, 401, 404) },
      },
      preValidation: emptyBody,
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const version = releaseVersion(request.params.version);
      let projects = await projectsFromBody(store, token, request.body.projects, false);
      if (projects.length === 0) projects = (await releaseInProjects(store, token, version)).map((f) => f.project);
      if (projects.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
      const input = releaseInput(request.body, version);
      for (const project of projects) await store.upsertRelease(project.id, input);
      return merged(await releaseInProjects(store, token, version))!;
    },
  );

  app.post(
    '/api/0/organizations/:org/releases/:version/deploys/',
    {
      schema: {
        tags,
        summary: 'Record a deploy of the release (sentry-cli deploys new)',
        params: OrgReleaseParams,
        body: DeployBody,
        response: { 201: Deploy, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const version = releaseVersion(request.params.version);
      const input = deployInput(request.body);
      let projects = await projectsFromBody(store, token, request.body.projects, false);
      if (projects.length === 0) projects = (await releaseInProjects(store, token, version)).map((f) => f.project);
      const deploys = [];
      for (const project of projects) {
        const deploy = await store.addDeploy(project.id, version, input);
        if (deploy) deploys.push(deploy);
      }
      if (deploys.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
      reply.code(201);
      return deployJson(deploys[0]!);
    },
  );

  app.get(
    '/api/0/organizations/:org/releases/:version/deploys/',
    {
      schema: {
        tags,
        summary: "The release's deploys in every project that has it",
        params: OrgReleaseParams,
        response: { 200: Type.Array(Deploy), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const found = await releaseInProjects(store, token, releaseVersion(request.params.version));
      if (found.length === 0) throw new HttpError(404, 'release_not_found', 'release not found');
      return found.flatMap((f) => f.release.deploys.map(deployJson));
    },
  );

  app.get(
    '/api/0/organizations/:org/releases/:version/files/',
    {
      schema: {
        tags,
        summary: "The release's files (sentry-cli releases files list)",
        params: OrgReleaseParams,
        response: { 200: Type.Array(SentryReleaseFile), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const found = await releaseInProjects(store, token, releaseVersion(request.params.version));
      const files = [];
      for (const { project, release } of found) files.push(...(await store.listReleaseFiles(project.id, release.version)));
      return files.map(
        (f): SentryReleaseFile => ({
          id: String(f.id),
          name: f.url,
          size: f.size,
          headers: f.sourcemapUrl ? { Sourcemap: f.sourcemapUrl } : {},
          type: f.type,
        }),
      );
    },
  );
}
