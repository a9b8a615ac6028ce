/**
 * OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), gzip or not. The project comes from its
 * public key, sent as `x-proliferate-key: <key>`, `Authorization: Bearer <key>`, or the Sentry
 * ways (`X-Sentry-Auth`, `?sentry_key=`). Answers follow OTLP: an empty export response in the
 * request's encoding, 400 for a body that cannot be decoded.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestLimits } from '../../config.js';
import { HttpError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { publicKeyFromRequest } from '../auth.js';
import { readBody } from '../body.js';
import type { BodyMemoryBudget } from '../body-budget.js';
import type { ProjectKeyCache } from '../project-keys.js';
import { emptyTelemetry, TelemetryError } from '../telemetry/sentry-items.js';
import { addOtlpLogs, addOtlpTraces, type IdEncoding } from './otlp-map.js';
import { decodeOtlp, ExportLogsServiceRequest, ExportTraceServiceRequest } from './otlp-schema.js';

export function otlpKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-proliferate-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return publicKeyFromRequest(request.headers, request.query as Record<string, unknown>);
}

export async function otlpRoutes(
  app: FastifyInstance,
  options: { store: Store; limits: IngestLimits; keys: ProjectKeyCache; bodyBudget: BodyMemoryBudget },
) {
  const { store, limits, keys } = options;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage) =>
    readBody(payload, request.headers, limits, options.bodyBudget.lease(request.raw)),
  );

  async function handle(request: FastifyRequest, reply: FastifyReply, signal: 'traces' | 'logs') {
    const key = otlpKey(request);
    if (!key) throw new HttpError(401, 'missing_key', 'No project key: send x-proliferate-key: <public key> or Authorization: Bearer <public key>');
    const projectId = await keys.projectForKey(key);
    if (projectId === undefined) throw new HttpError(403, 'invalid_key', 'The project key is not valid');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const isJson = contentType === 'application/json';
    if (!isJson && contentType !== 'application/x-protobuf' && contentType !== 'application/protobuf') {
      throw new HttpError(415, 'unsupported_media_type', 'OTLP/HTTP bodies are application/x-protobuf or application/json');
    }
    let decoded: Record<string, unknown>;
    try {
      if (isJson) {
        const parsed = JSON.parse(body.length ? body.toString('utf8') : '{}') as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
        decoded = parsed as Record<string, unknown>;
      } else {
        decoded = decodeOtlp(signal === 'traces' ? ExportTraceServiceRequest : ExportLogsServiceRequest, body);
      }
    } catch (error) {
      throw new HttpError(400, 'invalid_otlp', `The ${isJson ? 'JSON' : 'protobuf'} body is not an OTLP ${signal} export request: ${(error as Error).message}`);
    }
    const encoding: IdEncoding = isJson ? 'hex' : 'base64';
    const batch = emptyTelemetry(projectId);
    try {
      if (signal === 'traces') addOtlpTraces(batch, decoded, encoding, Date.now());
      else addOtlpLogs(batch, decoded, encoding, Date.now());
    } catch (error) {
      if (error instanceof TelemetryError) throw new HttpError(413, 'too_many_items', error.message);
      throw error;
    }
    if (batch.spans.length || batch.logs.length) {
      const count = signal === 'traces' ? 'otlp_span' : 'otlp_log';
      try {
        await store.write([], [{ projectId, type: count, received: Date.now(), eventId: null, traceId: null, payload: null }], [batch]);
      } catch (error) {
        app.log.error({ err: error }, 'write failed');
        throw new HttpError(503, 'store_unavailable', 'The data could not be stored; retry later');
      }
    }
    // An empty Export*ServiceResponse: zero bytes in protobuf, {} in JSON (full success).
    if (isJson) return reply.type('application/json').send({});
    return reply.type('application/x-protobuf').send(Buffer.alloc(0));
  }

  const schema = (signal: string) => ({
    tags: ['ingest'],
    summary: `OTLP/HTTP ${signal} export (protobuf or JSON)`,
    description: 'Authenticate with the project public key: x-proliferate-key, Authorization: Bearer, X-Sentry-Auth or ?sentry_key=.',
    security: [],
    response: { 200: { description: 'An empty export response, in the request’s encoding' } },
  });
  app.post('/v1/traces', { schema: schema('traces') }, (request, reply) => handle(request, reply, 'traces'));
  app.post('/v1/logs', { schema: schema('logs') }, (request, reply) => handle(request, reply, 'logs'));
}
