/**
 * The oldest release-file flow: one file per request, `POST /api/0/projects/{org}/{project}/
 * releases/{version}/files/` (multipart: `file`, `name` = its URL such as `~/app.min.js`, optional
 * `dist` and `header` = "Sourcemap: app.min.js.map"), as old sentry-cli versions and scripts do.
 * Each file is stored as a one-file bundle of the release, deduplicated by checksum.
 */
import multipart from '@fastify/multipart';
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ArtifactLimits } from '../../config.js';
import type { Symbolicator } from '../../digest/symbolicate/symbolicator.js';
import { HttpError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { requireToken } from '../auth.js';
import { errors } from '../contract/common.js';
import { UploadedReleaseFile, Version } from '../contract/releases.js';
import { releaseVersion } from '../release-json.js';
import { typed } from '../typed.js';
import { guessType, normalizeDebugId } from './bundle-zip.js';
import { OrgSlug, ProjectSlug, projectBySlug, requireOrganization, SENTRY_CLI_TAGS as tags } from './organization.js';

export async function releaseFileRoutes(
  fastify: FastifyInstance,
  options: { store: Store; limits: ArtifactLimits; symbolicator: Symbolicator },
) {
  const app = typed(fastify);
  const { store, limits, symbolicator } = options;
  const maxFile = Math.min(limits.maxBundleBytes, 64 * 1024 * 1024);
  await app.register(multipart, { limits: { fileSize: maxFile, files: 1, fields: 20, fieldSize: 4096 } });

  // The body is multipart (read part by part below, the file bounded), so the schema names no body.
  app.post(
    '/api/0/projects/:org/:project/releases/:version/files/',
    {
      schema: {
        tags,
        summary: 'Upload one release file: multipart/form-data with file, name (its URL, e.g. ~/app.min.js), optional dist and header',
        params: Type.Object({ org: OrgSlug, project: ProjectSlug, version: Version }),
        response: { 201: UploadedReleaseFile, ...errors(400, 401, 404, 413) },
      },
    },
    async (request, reply) => {
      const { params } = request;
      requireOrganization(params.org);
      const token = await requireToken(request, store);
      const project = await projectBySlug(store, token, params.project);
      const version = releaseVersion(params.version);
      if (!request.isMultipart()) throw new HttpError(400, 'invalid_body', 'send the file as multipart/form-data (file, name)');
      let content: Buffer | null = null;
      let filename: string | null = null;
      const fields: Record<string, string[]> = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file') throw new HttpError(400, 'invalid_body', `unexpected file part ${part.fieldname}`);
            content = await part.toBuffer();
            filename = part.filename ?? null;
          } else {
            (fields[part.fieldname] ??= []).push(String(part.value));
          }
        }
      } catch (error) {
        if (error instanceof HttpError) throw error;
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new HttpError(413, 'file_too_large', `the file is larger than ${maxFile} bytes`);
        throw new HttpError(400, 'invalid_body', `the multipart body could not be read: ${(error as Error).message}`);
      }
      if (!content) throw new HttpError(400, 'invalid_body', 'the file part is missing');
      const name = fields.name?.[0] ?? (filename ? `~/${filename}` : null);
      if (!name || name.length > 2048) throw new HttpError(400, 'invalid_body', 'name (the file URL, such as ~/app.min.js) is required');
      const headers = new Map<string, string>();
      for (const header of fields.header ?? []) {
        const at = header.indexOf(':');
        if (at > 0) headers.set(header.slice(0, at).trim().toLowerCase(), header.slice(at + 1).trim());
      }
      const dist = fields.dist?.[0] ?? null;
      if (dist !== null && dist.length > 64) throw new HttpError(400, 'invalid_body', 'dist must be at most 64 characters');
      const checksum = createHash('sha1')
        .update(content)
        .update(`\u0000${name}\u0000${dist ?? ''}`)
        .digest('hex');
      await store.ensureRelease(project.id, version, Date.now());
      const bundle = await store.saveBundle(
        {
          projectId: project.id,
          checksum,
          release: version,
          dist,
          size: content.length,
          files: [
            {
              url: name,
              type: guessType(name),
              debugId: normalizeDebugId(headers.get('debug-id')),
              sourcemapUrl: headers.get('sourcemap') ?? headers.get('x-sourcemap') ?? null,
              content,
            },
          ],
        },
        limits.maxProjectBytes,
      );
      symbolicator.artifactsChanged(project.id);
      reply.code(201);
      return {
        id: String(bundle.id),
        name,
        dist,
        size: content.length,
        sha1: createHash('sha1').update(content).digest('hex'),
        headers: Object.fromEntries(headers),
      };
    },
  );
}
