/**
 * Releases of a project (`/api/0/projects/{id}/releases/...`), their deploys and artifacts, and
 * resolution by release for issues (Sentry's `statusDetails: {inRelease | inNextRelease}`).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { ReleaseTracker } from '../ingest/release-tracker.js';
import type { IssueResolution } from '../store/release-types.js';
import type { Issue as StoredIssue, Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { errors, Id, Limit, ProjectParams } from './contract/common.js';
import { Issue } from './contract/models.js';
import { ArtifactBundle, Deploy, DeployBody, Release, ReleaseBody, ReleaseFile, type StatusDetails, Version } from './contract/releases.js';
import { deployInput, deployJson, releaseInput, releaseJson, releaseVersion } from './release-json.js';
import { typed } from './typed.js';

const tags = ['releases'];
const ReleaseParams = Type.Object({ projectId: Id, version: Version });
const ReleaseQuery = Type.Optional(Type.String({ maxLength: 200, description: 'Part of the version' }));
/** A PUT or POST without a body is an empty one (Ajv would refuse a missing body as "must be object"). */
const emptyBody = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** `statusDetails` of an issue update: `{inNextRelease: true}` or `{inRelease: "1.2.0"}`; null if neither. */
export function resolutionFrom(details: StatusDetails | undefined): IssueResolution | null {
  if (!details) return null;
  if (details.inNextRelease === true) return { kind: 'next_release' };
  if (details.inRelease !== undefined) return { kind: 'release', version: releaseVersion(details.inRelease, 'statusDetails.inRelease') };
  return null;
}

/** Resolves an issue in a release; the regression check in ingest learns it at once. */
export async function resolveInRelease(store: Store, releases: ReleaseTracker, issue: StoredIssue, resolution: IssueResolution) {
  const result = await store.resolveIssueInRelease(issue.id, resolution);
  if (!result)
    throw new HttpError(
      404,
      'release_not_found',
      resolution.kind === 'release' ? `release ${resolution.version} not found in this project` : 'issue not found',
    );
  const floors = await store.releaseResolvedIssues();
  releases.noteResolution(issue.id, floors.get(issue.id) ?? null);
  return result;
}

export async function releaseRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  app.get(
    '/api/0/projects/:projectId/releases/',
    {
      schema: {
        tags,
        summary: "The project's releases, newest first",
        params: ProjectParams,
        querystring: Type.Object({ limit: Limit(50, 100), query: ReleaseQuery }),
        response: { 200: Type.Array(Release), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const releases = await store.listReleases(project.id, request.query.limit ?? 50, request.query.query);
      return releases.map((r) => releaseJson(r, [project]));
    },
  );

  app.post(
    '/api/0/projects/:projectId/releases/',
    {
      schema: {
        tags,
        summary: 'Create a release (200 with the release when it exists: then the given fields are updated)',
        params: ProjectParams,
        body: Type.Object({ ...ReleaseBody.properties, version: Version }),
        response: { 200: Release, 201: Release, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const version = releaseVersion(request.body.version);
      const existed = (await store.getRelease(project.id, version)) !== undefined;
      await store.upsertRelease(project.id, releaseInput(request.body, version));
      reply.code(existed ? 200 : 201);
      return releaseJson((await store.getRelease(project.id, version))!, [project]);
    },
  );

  app.get(
    '/api/0/projects/:projectId/releases/:version/',
    {
      schema: {
        tags,
        summary: 'One release with its deploys and counts',
        params: ReleaseParams,
        response: { 200: Release, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const release = await store.getRelease(project.id, releaseVersion(request.params.version));
      if (!release) throw new HttpError(404, 'release_not_found', 'release not found');
      return releaseJson(release, [project]);
    },
  );

  app.put(
    '/api/0/projects/:projectId/releases/:version/',
    {
      schema: {
        tags,
        summary: 'Update a release; {"finalize": true} (or a dateReleased) marks it released',
        params: ReleaseParams,
        body: ReleaseBody,
        response: { 200: Release, ...errors(400, 401, 404) },
      },
      preValidation: emptyBody,
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const version = releaseVersion(request.params.version);
      if (!(await store.getRelease(project.id, version))) throw new HttpError(404, 'release_not_found', 'release not found');
      const input = releaseInput(request.body, version);
      if (request.body.finalize === true && input.dateReleased === undefined) input.dateReleased = Date.now();
      await store.upsertRelease(project.id, input);
      return releaseJson((await store.getRelease(project.id, version))!, [project]);
    },
  );

  app.get(
    '/api/0/projects/:projectId/releases/:version/issues/',
    {
      schema: {
        tags,
        summary: 'The issues first seen in this release ("new issues"), newest first',
        params: ReleaseParams,
        querystring: Type.Object({ limit: Limit(50, 100) }),
        response: { 200: Type.Array(Issue), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const version = releaseVersion(request.params.version);
      if (!(await store.getRelease(project.id, version))) throw new HttpError(404, 'release_not_found', 'release not found');
      const ids = await store.releaseNewIssueIds(project.id, version, request.query.limit ?? 50);
      return (await Promise.all(ids.map((id) => store.getIssue(id)))).filter((i) => i !== undefined);
    },
  );

  app.get(
    '/api/0/projects/:projectId/releases/:version/deploys/',
    {
      schema: {
        tags,
        summary: "The release's deploys, newest first",
        params: ReleaseParams,
        response: { 200: Type.Array(Deploy), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const deploys = await store.listDeploys(project.id, releaseVersion(request.params.version));
      if (!deploys) throw new HttpError(404, 'release_not_found', 'release not found');
      return deploys.map(deployJson);
    },
  );

  app.post(
    '/api/0/projects/:projectId/releases/:version/deploys/',
    {
      schema: {
        tags,
        summary: 'Record a deploy of the release to an environment',
        params: ReleaseParams,
        body: DeployBody,
        response: { 201: Deploy, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const deploy = await store.addDeploy(project.id, releaseVersion(request.params.version), deployInput(request.body));
      if (!deploy) throw new HttpError(404, 'release_not_found', 'release not found');
      reply.code(201);
      return deployJson(deploy);
    },
  );

  app.get(
    '/api/0/projects/:projectId/releases/:version/files/',
    {
      schema: {
        tags,
        summary: "The release's source files and source maps",
        params: ReleaseParams,
        response: { 200: Type.Array(ReleaseFile), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      return store.listReleaseFiles(project.id, releaseVersion(request.params.version));
    },
  );

  app.get(
    '/api/0/projects/:projectId/artifact-bundles/',
    {
      schema: {
        tags,
        summary: "The project's uploaded artifact bundles (source maps), newest first",
        params: ProjectParams,
        querystring: Type.Object({ limit: Limit(50, 100) }),
        response: { 200: Type.Array(ArtifactBundle), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      return store.listBundles(project.id, request.query.limit ?? 50);
    },
  );
}
