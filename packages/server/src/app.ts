import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type RouteOptions } from 'fastify';
import { openApiOptions } from './api/openapi.js';
import { validationError } from './api/validation-errors.js';
import { alertRuleRoutes } from './api/alert-rules.js';
import { lifecycleRoutes } from './api/lifecycle.js';
import fastifyCookie from '@fastify/cookie';
import type { AccountsContext } from './accounts/context.js';
import { Mailer } from './accounts/mailer.js';
import { OidcClient } from './accounts/oidc.js';
import { LoginThrottle } from './accounts/throttle.js';
import { analyticsRoutes } from './api/analytics.js';
import { answerClientError } from './api/client-errors.js';
import { issueRoutes } from './api/issues.js';
import { issueWorkflowRoutes } from './api/issue-workflow-routes.js';
import { logRoutes } from './api/logs.js';
import { traceRoutes } from './api/traces.js';
import { projectRoutes } from './api/projects.js';
import { authorizeEveryRoute } from './api/authorize-hook.js';
import { oidcRoutes } from './api/oidc-routes.js';
import { projectSettingsRoutes } from './api/project-settings.js';
import { sessionRoutes } from './api/session-routes.js';
import { tokenRoutes } from './api/token-routes.js';
import { userRoutes } from './api/user-routes.js';
import { type ServerConfig } from './config.js';
import { releaseRoutes } from './api/releases.js';
import { assembleRoutes } from './api/sentry-compat/assemble.js';
import { chunkUploadRoutes } from './api/sentry-compat/chunk-upload.js';
import { releaseFileRoutes } from './api/sentry-compat/release-files.js';
import { sentryReleaseRoutes } from './api/sentry-compat/releases.js';
import { Symbolicator } from './digest/symbolicate/symbolicator.js';
import { ReleaseTracker } from './ingest/release-tracker.js';
import { replayRoutes } from './api/replays.js';
import { savedSearchRoutes } from './api/saved-searches.js';
import { wakeSnoozesOnRead } from './api/snooze-waker.js';
import { triageRoutes } from './api/triage-routes.js';
import { HttpError } from './errors.js';
import { QuerySyntaxError } from './query/ast.js';
import { ProjectKeyCache } from './ingest/project-keys.js';
import { BodyMemoryBudget } from './ingest/body-budget.js';
import { ingestRoutes } from './ingest/routes.js';
import { otlpRoutes } from './ingest/otlp/otlp-routes.js';
import type { Store } from './store/types.js';
import { ServerMetrics } from './metrics.js';
import { metricsRoute } from './api/metrics-route.js';
import { ingestPolicyRoutes } from './api/ingest-policy.js';
import { fingerprintRuleRoutes } from './api/fingerprint-rule-routes.js';
import { FingerprintRuleCache } from './digest/fingerprint-rules/rule-cache.js';
import { OverloadGate } from './ingest/overload-gate.js';
import { OutcomeRecorder } from './ingest/policy/outcomes.js';
import { IngestPolicies } from './ingest/policy/policy-cache.js';
import { RateLimiter } from './ingest/policy/rate-limiter.js';
import { SharedRateLimiter } from './ingest/policy/shared-rate-limiter.js';
import { loggerOptions } from './logging.js';

/** Fastify's own client errors (bad JSON body, unsupported media type...) keep their 4xx status. */
function toHttpError(error: FastifyError | Error): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof QuerySyntaxError) {
    return new HttpError(400, 'invalid_query', error.message, {}, { position: error.position });
  }
  const { validation, validationContext } = error as FastifyError;
  if (validation?.length) return validationError(validation, validationContext);
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (error as FastifyError).code?.replace(/^FST_ERR_/, '').toLowerCase() ?? 'bad_request';
    return new HttpError(status, code, error.message);
  }
  return null;
}

const routeTables = new WeakMap<FastifyInstance, RouteOptions[]>();
const metricsOfApp = new WeakMap<FastifyInstance, ServerMetrics>();

/** The app's Prometheus metrics (the composition root feeds the alert engine's counts in). */
export function appMetrics(app: FastifyInstance): ServerMetrics | undefined {
  return metricsOfApp.get(app);
}

/** Every route the app registered, with its options (schema included): for the contract test. */
export function registeredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return routeTables.get(app) ?? [];
}

/**
 * Builds the HTTP app on a store: every route, and the caches they share (one ProjectKeyCache for
 * Sentry ingest, OTLP ingest and key revocation). Settings come from the config only.
 */
export function buildApp(config: ServerConfig, store: Store): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    // A client that stalls mid-body must not hold a connection forever.
    requestTimeout: 60_000,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
  });

  const routes: RouteOptions[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => void routes.push(route));

  app.setErrorHandler((error, request, reply) => {
    const known = toHttpError(error as Error);
    if (known) {
      reply.code(known.status).headers(known.headers).send({ error: { code: known.code, message: known.message, ...known.details } });
      return;
    }
    request.log.error({ err: error }, 'unhandled error');
    reply.code(500).send({ error: { code: 'internal_error', message: 'Internal server error' } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  // HTTP clients commonly label a bodiless DELETE or PUT as JSON; an empty body is no body. Any
  // other body is parsed as Fastify does (secure-json-parse refuses __proto__ and constructor keys).
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else jsonParser(request, body as string, done);
  });

  // Request bodies held in memory at once, across ingest and OTLP; a request gives its share back
  // once answered (Node's request 'close' comes when the body ends, before the answer).
  const bodyBudget = new BodyMemoryBudget(config.limits.maxBodyMemoryBytes);
  app.addHook('onResponse', (request, _reply, done) => {
    bodyBudget.release(request.raw);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    bodyBudget.release(request.raw);
    done();
  });

  app.register(fastifyCookie);
  // Before every route: authorization runs first for all of them (api/README.md).
  authorizeEveryRoute(app, store);
  // Response schemas describe the API (OpenAPI, TypeScript types); they do not filter answers:
  // an event's payload is open-ended, and fast-json-stringify would drop what a schema leaves out.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.register(swagger, openApiOptions);
  app.get('/api/0/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  // Inside a plugin, so it is registered after swagger's route hook, as every other route is.
  app.register(async (instance) => {
    instance.get('/healthz', { schema: { summary: 'Liveness and the store backend', tags: ['server'], security: [] } }, async () => ({ ok: true, store: store.backend }));
  });
  const metrics = new ServerMetrics();
  metricsOfApp.set(app, metrics);
  app.register(metricsRoute, { store, metrics, config: config.metrics });
  // The bounded ingest queue; a request leaves it when answered or abandoned.
  const gate = new OverloadGate(config.quotas.maxInFlight, config.quotas.maxLoopDelayMs);
  app.addHook('onResponse', (request, _reply, done) => {
    gate.leave(request.raw);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    gate.leave(request.raw);
    done();
  });
  metrics.watch({ depth: () => gate.depth, loopDelayMs: () => gate.loopDelayMs });
  const policies = new IngestPolicies(store, app.log);
  const fingerprintRules = new FingerprintRuleCache(store, app.log);
  const outcomes = new OutcomeRecorder(store, metrics, app.log);
  // One process (SQLite) keeps its buckets in memory; PostgreSQL processes share theirs (docs/scaling.md).
  const limiter = store.backend === 'postgres' ? new SharedRateLimiter(store, app.log) : new RateLimiter();
  app.addHook('onReady', async () => {
    gate.start();
    outcomes.start();
    await policies.start();
    await fingerprintRules.start();
  });
  app.addHook('onClose', async () => {
    gate.stop();
    policies.stop();
    fingerprintRules.stop();
    await outcomes.stop();
  });
  // One cache for both ingest paths: revoking a key (projectRoutes) must stop both at once.
  const keys = new ProjectKeyCache(store);
  const artifacts = config.artifacts;
  const symbolicator = new Symbolicator(store, { cacheBytes: artifacts.mapCacheBytes, budgetMs: artifacts.symbolicationBudgetMs });
  // Uploads through other processes (PostgreSQL NOTIFY) reach this one's symbolicator.
  const stopHearingUploads = symbolicator.listen(store);
  const releases = new ReleaseTracker(store);
  app.addHook('onReady', async () => {
    await symbolicator.refresh();
    await releases.start();
  });
  app.addHook('onClose', async () => {
    stopHearingUploads();
    releases.stop();
  });
  app.register(ingestRoutes, { store, limits: config.limits, keys, bodyBudget, symbolicator, releases, quotas: config.quotas, policies, fingerprintRules, limiter, outcomes, metrics, gate });
  app.register(ingestPolicyRoutes, { store, policies, quotas: config.quotas, flushOutcomes: () => outcomes.flush() });
  app.register(fingerprintRuleRoutes, { store, fingerprintRules });
  app.register(otlpRoutes, { store, limits: config.limits, keys, bodyBudget, gate, quotas: config.quotas, policies, limiter, outcomes, metrics });
  app.register(projectRoutes, { store, publicUrl: config.publicUrl, keys });
  app.register(issueRoutes, { store, releases });
  app.register(issueWorkflowRoutes, { store });
  app.register(releaseRoutes, { store });
  app.register(sentryReleaseRoutes, { store });
  app.register(chunkUploadRoutes, { store, limits: artifacts, publicUrl: config.publicUrl });
  app.register(assembleRoutes, { store, limits: artifacts, symbolicator });
  app.register(releaseFileRoutes, { store, limits: artifacts, symbolicator });
  app.register(analyticsRoutes, { store });
  app.register(traceRoutes, { store });
  app.register(logRoutes, { store });
  app.register(replayRoutes, { store });
  app.register(triageRoutes, { store });
  app.register(savedSearchRoutes, { store });
  wakeSnoozesOnRead(app, store);
  app.register(lifecycleRoutes, { store, retention: config.retention });
  app.register(alertRuleRoutes, {
    store,
    publicUrl: config.publicUrl,
    smtpUrl: config.smtpUrl,
    emailFrom: config.emailFrom,
    outboundAllowPrivate: config.outboundAllowPrivate,
  });
  const accounts: AccountsContext = {
    store,
    config,
    throttle: new LoginThrottle(),
    mailer: config.smtpUrl ? new Mailer(config.smtpUrl, config.emailFrom ?? 'Proliferate <proliferate@localhost>') : null,
    oidc: config.oidc ? new OidcClient(config.oidc) : null,
  };
  app.addHook('onClose', async () => accounts.mailer?.close());
  app.register(sessionRoutes, accounts);
  app.register(userRoutes, accounts);
  app.register(tokenRoutes, accounts);
  app.register(oidcRoutes, accounts);
  app.register(projectSettingsRoutes, { ...accounts, keys });
  app.register(import('./api/dashboard.js'), { root: config.dashboardDir });
  return app;
}
