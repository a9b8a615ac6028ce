/**
 * OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), gzip or not. The project comes from its
 * public key, sent as `x-proliferate-key: <key>`, `Authorization: Bearer <key>`, or the Sentry
 * ways (`X-Sentry-Auth`, `?sentry_key=`). Answers follow OTLP: an empty export response in the
 * request's encoding, 400 for a body that cannot be decoded, 429 / 503 with Retry-After (which
 * OTLP exporters honour) past a rate limit or when the server is overloaded.
 *
 * The same ingest policy as the Sentry endpoints applies: the overload gate and the key check
 * before the body is read, the project's and key's rate limits, the release and environment
 * inbound filters (per resource: `service.version`, `deployment.environment[.name]`), and
 * server-side scrubbing of span and log attributes and bodies; drops are counted as outcomes.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestLimits, QuotaConfig } from '../../config.js';
import { HttpError } from '../../errors.js';
import type { ServerMetrics } from '../../metrics.js';
import type { Store } from '../../store/types.js';
import type { TelemetryBatch } from '../../store/trace-types.js';
import { publicKeyFromRequest } from '../auth.js';
import { readBody } from '../body.js';
import type { BodyMemoryBudget } from '../body-budget.js';
import type { OverloadGate } from '../overload-gate.js';
import type { OutcomeRecorder } from '../policy/outcomes.js';
import type { IngestPolicies } from '../policy/policy-cache.js';
import { checkItems } from '../policy/quota.js';
import type { Limiter } from '../policy/rate-limiter.js';
import { scrubTelemetry } from '../policy/scrub-telemetry.js';
import type { ProjectKeyCache } from '../project-keys.js';
import { emptyTelemetry, TelemetryError } from '../telemetry/sentry-items.js';
import { addOtlpLogs, addOtlpTraces, type IdEncoding } from './otlp-map.js';
import { filterOtlpResources } from './otlp-filters.js';
import { decodeOtlp, ExportLogsServiceRequest, ExportTraceServiceRequest } from './otlp-schema.js';

export interface OtlpRouteOptions {
  store: Store;
  limits: IngestLimits;
  keys: ProjectKeyCache;
  bodyBudget: BodyMemoryBudget;
  gate: OverloadGate;
  quotas: QuotaConfig;
  policies: IngestPolicies;
  limiter: Limiter;
  outcomes: OutcomeRecorder;
  metrics: ServerMetrics;
}

/** Outcome categories, as Sentry names them. */
const CATEGORY = { traces: 'span', logs: 'log_item' } as const;

/**
 * What an export counts against the events-per-minute limits: a trace export its local roots (the
 * spans with no parent here, or entered from another service: what a Sentry SDK sends as one
 * transaction each), at least one; a log export one per request (a limit meant for error events
 * would otherwise be spent by a few batches of logs; a request holds at most 10,000 records).
 */
function quotaCount(batch: TelemetryBatch, signal: 'traces' | 'logs'): number {
  if (signal === 'logs') return 1;
  let roots = 0;
  for (const span of batch.spans) if (span.rootKind > 0) roots++;
  return Math.max(1, roots);
}

export function otlpKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-proliferate-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return publicKeyFromRequest(request.headers, request.query as Record<string, unknown>);
}

export async function otlpRoutes(app: FastifyInstance, options: OtlpRouteOptions) {
  const { store, limits, keys, gate, policies, outcomes, metrics } = options;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage) =>
    readBody(payload, request.headers, limits, options.bodyBudget.lease(request.raw)),
  );

  // The bounded queue and the key, before the body is read or decompressed (as routes.ts does).
  const projectOf = new WeakMap<FastifyRequest, number>();
  const authorize = async (request: FastifyRequest) => {
    const key = otlpKey(request);
    if (!key) throw new HttpError(401, 'missing_key', 'No project key: send x-proliferate-key: <public key> or Authorization: Bearer <public key>');
    const projectId = await keys.projectForKey(key);
    if (projectId === undefined) throw new HttpError(403, 'invalid_key', 'The project key is not valid');
    projectOf.set(request, projectId);
  };
  // A refused request is answered by the gate, later (overload-gate.ts): the hook then never calls done.
  const admit = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (!gate.admit(request.raw, reply)) return;
    authorize(request).then(() => done(), done);
  };

  async function handle(request: FastifyRequest, reply: FastifyReply, signal: 'traces' | 'logs') {
    const projectId = projectOf.get(request)!;
    const key = otlpKey(request);
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
    const active = policies.for(projectId);
    const category = CATEGORY[signal];
    // Inbound filters drop whole resources (a service's release or environment).
    const filtered = filterOtlpResources(decoded, signal, active.filters);
    for (const [reason, count] of filtered) outcomes.record(projectId, 'filtered', reason, category, count);
    const encoding: IdEncoding = isJson ? 'hex' : 'base64';
    const batch = emptyTelemetry(projectId);
    try {
      if (signal === 'traces') addOtlpTraces(batch, decoded, encoding, Date.now());
      else addOtlpLogs(batch, decoded, encoding, Date.now());
    } catch (error) {
      if (error instanceof TelemetryError) throw new HttpError(413, 'too_many_items', error.message);
      throw error;
    }
    const items = batch.spans.length + batch.logs.length;
    if (items > 0) {
      await checkItems(
        {
          limiter: options.limiter,
          quotas: options.quotas,
          policy: active.policy,
          projectId,
          key,
          onLimited: (reason) => outcomes.record(projectId, 'rate_limited', reason, category, items),
        },
        quotaCount(batch, signal),
        category,
      );
      for (const rule of scrubTelemetry(batch, active.scrubber)) metrics.scrubbed.inc({ rule });
      const count = signal === 'traces' ? 'otlp_span' : 'otlp_log';
      const started = performance.now();
      try {
        await store.write([], [{ projectId, type: count, received: Date.now(), eventId: null, traceId: null, payload: null }], [batch]);
      } catch (error) {
        app.log.error({ err: error }, 'write failed');
        throw new HttpError(503, 'store_unavailable', 'The data could not be stored; retry later', { 'retry-after': '5' });
      }
      metrics.writeSeconds.observe((performance.now() - started) / 1000);
      metrics.accepted.inc({ category: count }, items);
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
  app.post('/v1/traces', { schema: schema('traces'), onRequest: admit }, (request, reply) => handle(request, reply, 'traces'));
  app.post('/v1/logs', { schema: schema('logs'), onRequest: admit }, (request, reply) => handle(request, reply, 'logs'));
}
