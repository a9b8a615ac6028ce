/**
 * sentry-cli's chunk upload (`GET/POST /api/0/organizations/{org}/chunk-upload/`): the GET answers
 * the upload options; the POST takes chunks as multipart parts named `file` (or `file_gzip`, gzip
 * compressed), each part's filename being the SHA-1 of the chunk's uncompressed bytes.
 */
import multipart from '@fastify/multipart';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ArtifactLimits } from '../../config.js';
import { HttpError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { errors } from '../contract/common.js';
import { ChunkUploadOptions } from '../contract/releases.js';
import { publicUrl } from '../http.js';
import { typed } from '../typed.js';
import { OrgParams, requireOrgToken, SENTRY_CLI_TAGS as tags } from './organization.js';

const CHUNKS_PER_REQUEST = 64;
const SHA1 = /^[0-9a-f]{40}$/;

export async function chunkUploadRoutes(fastify: FastifyInstance, options: { store: Store; limits: ArtifactLimits; publicUrl?: string }) {
  const app = typed(fastify);
  const { store, limits } = options;
  const maxRequestBytes = 4 * limits.chunkBytes;
  await app.register(multipart, {
    limits: { fileSize: limits.chunkBytes, files: CHUNKS_PER_REQUEST, fields: 16, parts: CHUNKS_PER_REQUEST + 16, fieldSize: 1024 },
  });

  app.get(
    '/api/0/organizations/:org/chunk-upload/',
    {
      schema: {
        tags,
        summary: 'The chunk upload options sentry-cli reads before uploading',
        params: OrgParams,
        response: { 200: ChunkUploadOptions, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { org } = request.params;
      await requireOrgToken(request, store, org);
      return {
        url: `${publicUrl(request, options.publicUrl)}/api/0/organizations/${org}/chunk-upload/`,
        chunkSize: limits.chunkBytes,
        chunksPerRequest: CHUNKS_PER_REQUEST,
        maxFileSize: limits.maxBundleBytes,
        maxRequestSize: maxRequestBytes,
        maxWait: 60,
        concurrency: 4,
        hashAlgorithm: 'sha1',
        compression: ['gzip'],
        accept: ['artifact_bundles', 'artifact_bundles_v2', 'release_files', 'sources'],
      };
    },
  );

  // The body is multipart (read part by part below, each chunk bounded), so the schema names no body.
  app.post(
    '/api/0/organizations/:org/chunk-upload/',
    {
      schema: {
        tags,
        summary: "Upload chunks: multipart/form-data parts named file (or file_gzip), each part's filename the SHA-1 of its bytes",
        params: OrgParams,
        response: { 200: Type.Object({}, { description: 'Stored' }), ...errors(400, 401, 404, 413) },
      },
    },
    async (request, reply) => {
      await requireOrgToken(request, store, request.params.org);
      if (!request.isMultipart()) throw new HttpError(400, 'invalid_body', 'chunks must be sent as multipart/form-data');
      const chunks: Array<{ checksum: string; data: Uint8Array }> = [];
      let total = 0;
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file' && part.fieldname !== 'file_gzip') {
            await part.toBuffer();
            continue;
          }
          const checksum = String(part.filename ?? '').toLowerCase();
          if (!SHA1.test(checksum)) throw new HttpError(400, 'invalid_chunk', 'each chunk part must be named by its SHA-1 (40 hex digits)');
          const body = await part.toBuffer();
          total += body.length;
          if (total > maxRequestBytes) throw new HttpError(413, 'request_too_large', `the request is larger than ${maxRequestBytes} bytes`);
          let data: Buffer;
          try {
            data = part.fieldname === 'file_gzip' ? gunzipSync(body, { maxOutputLength: limits.chunkBytes }) : body;
          } catch {
            throw new HttpError(
              400,
              'invalid_chunk',
              `chunk ${checksum} is not valid gzip or unpacks to more than ${limits.chunkBytes} bytes`,
            );
          }
          if (createHash('sha1').update(data).digest('hex') !== checksum) {
            throw new HttpError(400, 'checksum_mismatch', `chunk ${checksum} does not match its SHA-1`);
          }
          chunks.push({ checksum, data });
        }
      } catch (error) {
        if (error instanceof HttpError) throw error;
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE')
          throw new HttpError(413, 'chunk_too_large', `a chunk is larger than ${limits.chunkBytes} bytes`);
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
          throw new HttpError(413, 'too_many_chunks', `at most ${CHUNKS_PER_REQUEST} chunks per request`);
        }
        throw new HttpError(400, 'invalid_body', `the multipart body could not be read: ${(error as Error).message}`);
      }
      await store.putChunks(chunks);
      reply.code(200);
      return {};
    },
  );
}
