/**
 * Assembly of uploaded chunks into an artifact bundle: `POST /api/0/organizations/{org}/
 * artifactbundle/assemble/` (sentry-cli `sourcemaps upload`) and the older release-file flow's
 * `POST /api/0/organizations/{org}/releases/{version}/assemble/`. Assembly is synchronous (a bundle
 * of a few MB unpacks in milliseconds), so the answer is `ok` or which chunks are missing.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ArtifactLimits } from '../../config.js';
import type { Symbolicator } from '../../digest/symbolicate/symbolicator.js';
import { HttpError } from '../../errors.js';
import type { Project, Store } from '../../store/types.js';
import { releaseVersion } from '../release-json.js';
import { BundleError, unpackBundle } from './bundle-zip.js';
import { projectsFromBody, requireOrgToken } from './organization.js';

const SHA1 = /^[0-9a-f]{40}$/i;
const MAX_CHUNKS = 10_000;

interface AssembleRequest {
  checksum: string;
  chunks: string[];
  dist: string | null;
}

function assembleBody(request: FastifyRequest): AssembleRequest & { body: Record<string, unknown> } {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (typeof body.checksum !== 'string' || !SHA1.test(body.checksum)) throw new HttpError(400, 'invalid_body', 'checksum must be the SHA-1 of the bundle (40 hex digits)');
  if (!Array.isArray(body.chunks) || body.chunks.length > MAX_CHUNKS || !body.chunks.every((c) => typeof c === 'string' && SHA1.test(c))) {
    throw new HttpError(400, 'invalid_body', `chunks must be a list of at most ${MAX_CHUNKS} SHA-1 checksums`);
  }
  const dist = body.dist === undefined || body.dist === null ? null : body.dist;
  if (dist !== null && (typeof dist !== 'string' || dist.length > 64)) throw new HttpError(400, 'invalid_body', 'dist must be text of at most 64 characters');
  return { body, checksum: body.checksum.toLowerCase(), chunks: (body.chunks as string[]).map((c) => c.toLowerCase()), dist };
}

export async function assembleRoutes(app: FastifyInstance, options: { store: Store; limits: ArtifactLimits; symbolicator: Symbolicator }) {
  const { store, limits, symbolicator } = options;

  async function assemble(projects: Project[], req: AssembleRequest, release: string | null) {
    if (projects.length === 0) throw new HttpError(400, 'invalid_body', 'name at least one project (projects: ["slug"])');
    const stored = await Promise.all(projects.map((p) => store.findBundle(p.id, req.checksum)));
    if (stored.every((b) => b !== undefined)) return { state: 'ok', missingChunks: [], detail: null };
    const missing = await store.missingChunks(req.chunks);
    if (missing.length > 0 || req.chunks.length === 0) return { state: 'not_found', missingChunks: missing, detail: null };
    const parts = await store.readChunks(req.chunks);
    if (!parts) return { state: 'not_found', missingChunks: await store.missingChunks(req.chunks), detail: null };
    const size = parts.reduce((n, p) => n + p.byteLength, 0);
    if (size > limits.maxBundleBytes) return { state: 'error', missingChunks: [], detail: `the bundle is larger than ${limits.maxBundleBytes} bytes` };
    const zip = Buffer.concat(parts);
    if (createHash('sha1').update(zip).digest('hex') !== req.checksum) {
      return { state: 'error', missingChunks: [], detail: 'the assembled bundle does not match its checksum' };
    }
    let unpacked;
    try {
      unpacked = unpackBundle(zip, limits.maxUnpackedBytes);
    } catch (error) {
      if (error instanceof BundleError) return { state: 'error', missingChunks: [], detail: error.message };
      throw error;
    }
    const bundleRelease = release ?? unpacked.release;
    for (const project of projects) {
      await store.saveBundle(
        { projectId: project.id, checksum: req.checksum, release: bundleRelease, dist: req.dist ?? unpacked.dist, size, files: unpacked.files },
        limits.maxProjectBytes,
      );
      if (bundleRelease) await store.ensureRelease(project.id, bundleRelease, Date.now());
    }
    await store.deleteChunks(req.chunks);
    await symbolicator.refresh();
    return { state: 'ok', missingChunks: [], detail: null };
  }

  app.post('/api/0/organizations/:org/artifactbundle/assemble/', async (request) => {
    const token = await requireOrgToken(request, store);
    const req = assembleBody(request);
    const projects = await projectsFromBody(store, token, req.body.projects, false);
    const version = req.body.version === undefined || req.body.version === null || req.body.version === '' ? null : releaseVersion(req.body.version);
    return assemble(projects, req, version);
  });

  app.post('/api/0/organizations/:org/releases/:version/assemble/', async (request) => {
    const token = await requireOrgToken(request, store);
    const req = assembleBody(request);
    const version = releaseVersion((request.params as { version: string }).version);
    // The older flow names no project: the release's projects, else every project the token sees.
    let projects = await projectsFromBody(store, token, req.body.projects, false);
    if (projects.length === 0) {
      const all = await projectsFromBody(store, token, undefined, true);
      const withRelease = (await Promise.all(all.map(async (p) => ((await store.getRelease(p.id, version)) ? p : null)))).filter((p): p is Project => p !== null);
      projects = withRelease.length > 0 ? withRelease : all.length === 1 ? all : [];
      if (projects.length === 0) throw new HttpError(404, 'release_not_found', `release ${version} not found: create it first (sentry-cli releases new)`);
    }
    return assemble(projects, req, version);
  });
}
