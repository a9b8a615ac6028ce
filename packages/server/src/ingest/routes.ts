import { EnvelopeError, parseEnvelope } from '@proliferate/protocol';
import { Type, type Static } from '@sinclair/typebox';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestLimits, QuotaConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { OverloadGate } from './overload-gate.js';
import { CpuSlices } from './cpu-slices.js';
import { readClientReport } from './policy/client-report.js';
import type { OutcomeRecorder } from './policy/outcomes.js';
import type { IngestPolicies } from './policy/policy-cache.js';
import type { FingerprintRuleCache } from '../digest/fingerprint-rules/rule-cache.js';
import { applyEnvelopeQuota, checkOneEvent, type QuotaInput } from './policy/quota.js';
import type { Limiter } from './policy/rate-limiter.js';
import { scrubTelemetry } from './policy/scrub-telemetry.js';
import { HttpError } from '../errors.js';
import type { Store } from '../store/types.js';
import { publicKeyFromDsn, publicKeyFromRequest } from './auth.js';
import { readBody } from './body.js';
import type { BodyMemoryBudget } from './body-budget.js';
import type { Symbolicator } from '../digest/symbolicate/symbolicator.js';
import { acceptEvent, ingestEnvelope, type IngestBatch, type IngestContext } from './items.js';
import { finishDeferred } from './prepare-batch.js';
import type { ReleaseTracker } from './release-tracker.js';
import type { ProjectKeyCache } from './project-keys.js';
import { commitReplays } from './replay/commit.js';

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage',
  'access-control-expose-headers': 'x-sentry-rate-limits, retry-after',
  'access-control-max-age': '86400',
};

// Ingest answers Sentry's way (404 project_not_found for an id that is not a number), so the id is
// checked here rather than by the schema's 400.
const IngestParams = Type.Object({ projectId: Type.String({ maxLength: 20, description: 'The project id of the DSN' }) });
const IngestQuery = Type.Object(
  {
    sentry_key: Type.Optional(Type.String({ maxLength: 100, description: 'The public key, for clients that cannot send X-Sentry-Auth' })),
    sentry_version: Type.Optional(Type.String({ maxLength: 20 })),
    sentry_client: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);
const IngestAnswer = Type.Object({ id: Type.Optional(Type.String({ description: 'The event id, when the request held an event' })) });
const ingestSchema = (summary: string, description: string) => ({
  tags: ['ingest'],
  summary,
  description,
  security: [],
  params: IngestParams,
  querystring: IngestQuery,
  response: { 200: IngestAnswer },
});
const preflightSchema = { tags: ['ingest'], summary: 'CORS preflight for browser SDKs', security: [], params: IngestParams };

type IngestRequest = FastifyRequest<{ Params: Static<typeof IngestParams> }>;

function projectIdParam(request: IngestRequest): number {
  const { projectId } = request.params;
  const id = Number(projectId);
  if (!/^\d+$/.test(projectId) || !Number.isSafeInteger(id)) throw new HttpError(404, 'project_not_found', `project ${projectId} does not exist`);
  return id;
}

/** Sentry-compatible ingest: `/api/{project}/envelope/` and the legacy `/api/{project}/store/`. */
export interface IngestRouteOptions {
  store: Store;
  limits: IngestLimits;
  keys: ProjectKeyCache;
  symbolicator: Symbolicator;
  releases: ReleaseTracker;
  bodyBudget: BodyMemoryBudget;
  quotas: QuotaConfig;
  policies: IngestPolicies;
  fingerprintRules: FingerprintRuleCache;
  limiter: Limiter;
  outcomes: OutcomeRecorder;
  metrics: ServerMetrics;
  gate: OverloadGate;
}

export async function ingestRoutes(app: FastifyInstance, options: IngestRouteOptions) {
  const { store, limits, symbolicator, releases } = options;
  const { keys, gate, metrics, outcomes, policies, fingerprintRules } = options;
  const slices = new CpuSlices();

  // Real clients send any Content-Type or none (text/plain from browsers, x-sentry-envelope, json):
  // the body is read raw here, whatever it is labelled.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage) =>
    readBody(payload, request.headers, limits, options.bodyBudget.lease(request.raw)),
  );

  // Callback-style hooks: on the hot path a promise per hook and request is measurable.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(CORS_HEADERS);
    done(null, payload);
  });

  async function authorize(projectId: number, key: string | undefined): Promise<void> {
    if (!(await keys.projectExists(projectId))) throw new HttpError(404, 'project_not_found', `project ${projectId} does not exist`);
    if (!key) throw new HttpError(401, 'missing_key', 'No project key: send X-Sentry-Auth with sentry_key, the sentry_key query parameter, or Authorization: Bearer');
    const keyProject = await keys.projectForKey(key);
    if (keyProject !== projectId) throw new HttpError(403, 'invalid_key', 'The project key is not valid for this project');
  }

  // Requests that carry their key are refused before their body is read or decompressed. Only an
  // envelope may instead name its DSN in its own header (tunnels); that is checked after reading.
  const authorizedEarly = new WeakSet<FastifyRequest>();
  const authorizeRequest = async (request: FastifyRequest, projectId: number, key: string | undefined, allowDsnInBody: boolean) => {
    if (key === undefined && allowDsnInBody) {
      if (!(await keys.projectExists(projectId))) throw new HttpError(404, 'project_not_found', `project ${projectId} does not exist`);
      return;
    }
    await authorize(projectId, key);
    authorizedEarly.add(request);
  };
  const authorizeBeforeBody =
    (allowDsnInBody: boolean) => (request: IngestRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      // The bounded queue: refused before the body is read, answered by the gate (overload-gate.ts).
      if (!gate.admit(request.raw, reply)) return;
      let projectId: number;
      try {
        projectId = projectIdParam(request);
      } catch (error) {
        return done(error as Error);
      }
      const key = publicKeyFromRequest(request.headers, request.query as Record<string, unknown>);
      // A key and project remembered by the cache (nearly every request) are settled right here.
      if (key !== undefined && keys.cachedProjectExists(projectId) && keys.cachedProjectForKey(key) === projectId) {
        authorizedEarly.add(request);
        return done();
      }
      authorizeRequest(request, projectId, key, allowDsnInBody).then(() => done(), done);
    };

  /**
   * Symbolicates deferred events, creates releases seen for the first time, commits, then reopens
   * issues resolved in an earlier release (release-tracker.ts). Events needing none of this (the
   * usual case) pay no await beyond the write.
   */
  async function commit(batch: IngestBatch, ctx: IngestContext): Promise<void> {
    if (batch.deferred) await finishDeferred(batch, ctx, symbolicator);
    // Replay segments are committed first and apart from the event writer: they are checked
    // against their replay's size cap, and a refused segment must not leave its counts behind.
    if (batch.replays?.length) await commitReplays(store, batch.replays, limits, app.log);
    if (batch.events.length === 0 && batch.raw.length === 0 && !batch.telemetry) return;
    const ids = releases.releaseIds(batch.events);
    const releaseIds = Array.isArray(ids) ? ids : await ids;
    let written;
    const started = performance.now();
    try {
      written = await store.write(batch.events, batch.raw, batch.telemetry ? [batch.telemetry] : []);
    } catch (error) {
      app.log.error({ err: error, projectId: ctx.projectId }, 'write failed');
      throw new HttpError(503, 'store_unavailable', 'The event could not be stored; retry later', { 'retry-after': '5' });
    }
    metrics.writeSeconds.observe((performance.now() - started) / 1000);
    if (batch.events.length) metrics.accepted.inc({ category: 'error' }, batch.events.length);
    for (const item of batch.raw) metrics.accepted.inc({ category: item.type });
    const reopening = releases.afterWrite(releaseIds, written);
    if (reopening) await reopening.catch((error: unknown) => app.log.error({ err: error }, 'regression check failed'));
  }

  const needsProcessing = (projectId: number, raw: Record<string, unknown>) => symbolicator.wants(projectId, raw);
  const context = (request: FastifyRequest, projectId: number): IngestContext => {
    const policy = policies.for(projectId);
    return {
      projectId,
      receivedMs: Date.now(),
      // A project that never keeps IP addresses does not get the sender's either ({{auto}}, infer_ip).
      clientIp: policy.scrubber.dropIpAddresses ? undefined : request.ip,
      limits,
      needsProcessing,
      policy,
      fingerprintRules: fingerprintRules.for(projectId),
      onFiltered: (reason) => outcomes.record(projectId, 'filtered', reason, 'error'),
      onScrubbed: (rules) => {
        for (const rule of rules) metrics.scrubbed.inc({ rule });
      },
    };
  };
  const quotaInput = (projectId: number, key: string | undefined): QuotaInput => ({
    limiter: options.limiter,
    quotas: options.quotas,
    policy: policies.for(projectId).policy,
    projectId,
    key,
    onLimited: (reason, category) => outcomes.record(projectId, 'rate_limited', reason, category),
  });
  const requestKey = (request: FastifyRequest, body?: Buffer) =>
    publicKeyFromRequest(request.headers, request.query as Record<string, unknown>) ?? (body ? envelopeDsnKey(body) : undefined);

  const requireBody = (body: unknown): Buffer => {
    if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'empty_body', 'The request body is empty');
    return body;
  };

  app.options('/api/:projectId/envelope/', { schema: preflightSchema }, async (_request, reply) => reply.code(204).send());
  app.options('/api/:projectId/store/', { schema: preflightSchema }, async (_request, reply) => reply.code(204).send());

  const envelopeSchema = ingestSchema(
    'Sentry envelope ingest (events, transactions, spans, logs, ...)',
    'The body is a Sentry envelope (any Content-Type, optionally gzip, deflate, br or zstd). Authenticate with ' +
      'X-Sentry-Auth, the sentry_key query parameter, or the envelope header dsn.',
  );
  app.post('/api/:projectId/envelope/', { schema: envelopeSchema, onRequest: authorizeBeforeBody(true) }, async (request, reply) => {
    const projectId = projectIdParam(request);
    const body = requireBody(request.body);
    if (!authorizedEarly.has(request)) await authorize(projectId, envelopeDsnKey(body));
    // Parsing, scrubbing and grouping run in slices of their own (cpu-slices.ts).
    const envelope = await slices.run(() => {
      let parsed;
      try {
        parsed = parseEnvelope(body);
      } catch (error) {
        if (error instanceof EnvelopeError) throw new HttpError(400, error.code, error.message);
        throw error;
      }
      // The SDK's own drop counts are read first: they count even when the rest is refused.
      for (const item of parsed.items) {
        if (item.headers.type !== 'client_report') continue;
        for (const d of readClientReport(item.payload)) outcomes.record(projectId, 'client_discard', d.reason, d.category, d.quantity);
      }
      return parsed;
    });
    // In memory at once; a shared (PostgreSQL) bucket answers later only when this process's lease is spent.
    const quota = applyEnvelopeQuota(envelope, quotaInput(projectId, requestKey(request, body)));
    const limited = quota instanceof Promise ? await quota : quota;
    if (limited) reply.headers(limited);
    const ctx = context(request, projectId);
    const batch = await slices.run(() => {
      const digested = ingestEnvelope(envelope, ctx);
      // Spans and logs of the envelope get the project's scrubbing rules too (scrub-telemetry.ts).
      if (digested.telemetry) ctx.onScrubbed?.(scrubTelemetry(digested.telemetry, ctx.policy!.scrubber));
      return digested;
    });
    await commit(batch, ctx);
    return batch.responseId ? { id: batch.responseId } : {};
  });

  const storeSchema = ingestSchema('Legacy Sentry store ingest (one event as JSON)', 'Authenticate with X-Sentry-Auth or the sentry_key query parameter.');
  app.post('/api/:projectId/store/', { schema: storeSchema, onRequest: authorizeBeforeBody(false) }, async (request) => {
    const projectId = projectIdParam(request);
    const body = requireBody(request.body);
    if (body.length > limits.maxEventBytes) throw new HttpError(413, 'event_too_large', `The event is larger than ${limits.maxEventBytes} bytes`);
    const quota = checkOneEvent(quotaInput(projectId, requestKey(request)));
    if (quota instanceof Promise) await quota;
    const ctx = context(request, projectId);
    const batch: IngestBatch = { events: [], raw: [], responseId: null };
    await slices.run(() => acceptEvent(batch, body, 'The event', ctx));
    await commit(batch, ctx);
    return { id: batch.responseId };
  });
}

function envelopeDsnKey(body: Buffer): string | undefined {
  const end = body.indexOf(10);
  try {
    const headers = JSON.parse(body.subarray(0, end === -1 ? body.length : end).toString('utf8')) as { dsn?: unknown };
    return publicKeyFromDsn(headers.dsn)?.key;
  } catch {
    return undefined;
  }
}
