/**
 * Assembly of uploaded chunks into an artifact bundle: `POST /api/0/organizations/{org}/
 * artifactbundle/assemble/` (sentry-cli `sourcemaps upload`) and the older release-file flow's
 * `POST /api/0/organizations/{org}/releases/{version}/assemble/`. Assembly is synchronous (a bundle
 * of a few MB unpacks in milliseconds), so the answer is `ok` or which chunks are missing.
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ArtifactLimits } from '../../config.js';
import type { Symbolicator } from '../../digest/symbolicate/symbolicator.js';
import { HttpError } from '../../errors.js';
import type { Project, Store } from '../../store/types.js';
import { errors } from '../contract/common.js';
import { type AssembleBody as AssembleInput, AssembleBody, AssembleResult, Version } from '../contract/releases.js';
import { releaseVersion } from '../release-json.js';
import { typed } from '../typed.js';
import { BundleError, type UnpackedBundle, unpackBundle } from './bundle-zip.js';
import { OrgParams, OrgSlug, projectsFromBody, requireOrgToken, SENTRY_CLI_TAGS as tags } from './organization.js';

interface AssembleRequest {
  checksum: string;
  chunks: string[];
  dist: string | null;
}

/** Checksums compare in lowercase (sentry-cli sends lowercase; others may not). */
const assembleRequest = (body: AssembleInput): AssembleRequest => ({
  checksum: body.checksum.toLowerCase(),
  chunks: body.chunks.map((c) => c.toLowerCase()),
  dist: body.dist ?? null,
});

export async function assembleRoutes(
  fastify: FastifyInstance,
  options: { store: Store; limits: ArtifactLimits; symbolicator: Symbolicator },
) {
  const app = typed(fastify);
  const { store, limits, symbolicator } = options;

  async function assemble(projects: Project[], req: AssembleRequest, release: string | null): Promise<AssembleResult> {
    if (projects.length === 0)
      throw new HttpError(400, 'invalid_body', 'name at least one project (projects: ["slug"])', {}, { field: 'projects' });
    const stored = await Promise.all(projects.map((p) => store.findBundle(p.id, req.checksum)));
    if (stored.every((b) => b !== undefined)) return { state: 'ok', missingChunks: [], detail: null };
    const missing = await store.missingChunks(req.chunks);
    if (missing.length > 0 || req.chunks.length === 0) return { state: 'not_found', missingChunks: missing, detail: null };
    const parts = await store.readChunks(req.chunks);
    if (!parts) return { state: 'not_found', missingChunks: await store.missingChunks(req.chunks), detail: null };
    const size = parts.reduce((n, p) => n + p.byteLength, 0);
    if (size > limits.maxBundleBytes)
      return { state: 'error', missingChunks: [], detail: `the bundle is larger than ${limits.maxBundleBytes} bytes` };
    const zip = Buffer.concat(parts);
    if (createHash('sha1').update(zip).digest('hex') !== req.checksum) {
      return { state: 'error', missingChunks: [], detail: 'the assembled bundle does not match its checksum' };
    }
    let unpacked: UnpackedBundle;
    try {
      unpacked = unpackBundle(zip, limits.maxUnpackedBytes);
    } catch (error) {
      if (error instanceof BundleError) return { state: 'error', missingChunks: [], detail: error.message };
      throw error;
    }
    const bundleRelease = release ?? unpacked.release;
    for (const project of projects) {
      await store.saveBundle(
        {
          projectId: project.id,
          checksum: req.checksum,
          release: bundleRelease,
          dist: req.dist ?? unpacked.dist,
          size,
          files: unpacked.files,
        },
        limits.maxProjectBytes,
      );
      if (bundleRelease) await store.ensureRelease(project.id, bundleRelease, Date.now());
    }
    await store.deleteChunks(req.chunks);
    const debugIds = unpacked.files.filter((f) => f.type === 'source_map' && f.debugId).map((f) => f.debugId!);
    for (const project of projects) {
      symbolicator.artifactsChanged(project.id);
      await symbolicator.warm(project.id, debugIds);
    }
    return { state: 'ok', missingChunks: [], detail: null };
  }

  app.post(
    '/api/0/organizations/:org/artifactbundle/assemble/',
    {
      schema: {
        tags,
        summary: 'Assemble uploaded chunks into an artifact bundle (sentry-cli sourcemaps upload)',
        params: OrgParams,
        body: AssembleBody,
        response: { 200: AssembleResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const projects = await projectsFromBody(store, token, request.body.projects, false);
      const version = request.body.version ? releaseVersion(request.body.version) : null;
      return assemble(projects, assembleRequest(request.body), version);
    },
  );

  app.post(
    '/api/0/organizations/:org/releases/:version/assemble/',
    {
      schema: {
        tags,
        summary: "Assemble uploaded chunks into a release's files (the older release-file flow)",
        params: Type.Object({ org: OrgSlug, version: Version }),
        body: AssembleBody,
        response: { 200: AssembleResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const token = await requireOrgToken(request, store, request.params.org);
      const version = releaseVersion(request.params.version);
      // The older flow names no project: the release's projects, else every project the token sees.
      let projects = await projectsFromBody(store, token, request.body.projects, false);
      if (projects.length === 0) {
        const all = await projectsFromBody(store, token, undefined, true);
        const withRelease = (await Promise.all(all.map(async (p) => ((await store.getRelease(p.id, version)) ? p : null)))).filter(
          (p): p is Project => p !== null,
        );
        projects = withRelease.length > 0 ? withRelease : all.length === 1 ? all : [];
        if (projects.length === 0)
          throw new HttpError(404, 'release_not_found', `release ${version} not found: create it first (sentry-cli releases new)`);
      }
      return assemble(projects, assembleRequest(request.body), version);
    },
  );
}
