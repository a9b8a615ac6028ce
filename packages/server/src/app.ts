import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AccountsContext } from './accounts/context.js';
import { Mailer } from './accounts/mailer.js';
import { OidcClient } from './accounts/oidc.js';
import { LoginThrottle } from './accounts/throttle.js';
import { analyticsRoutes } from './api/analytics.js';
import { answerClientError } from './api/client-errors.js';
import { issueRoutes } from './api/issues.js';
import { logRoutes } from './api/logs.js';
import { traceRoutes } from './api/traces.js';
import { projectRoutes } from './api/projects.js';
import { authorizeEveryRoute } from './api/authorize-hook.js';
import { oidcRoutes } from './api/oidc-routes.js';
import { projectSettingsRoutes } from './api/project-settings.js';
import { sessionRoutes } from './api/session-routes.js';
import { tokenRoutes } from './api/token-routes.js';
import { userRoutes } from './api/user-routes.js';
import type { ServerConfig } from './config.js';
import { HttpError } from './errors.js';
import { QuerySyntaxError } from './query/ast.js';
import { ProjectKeyCache } from './ingest/project-keys.js';
import { BodyMemoryBudget } from './ingest/body-budget.js';
import { ingestRoutes } from './ingest/routes.js';
import { otlpRoutes } from './ingest/otlp/otlp-routes.js';
import type { Store } from './store/types.js';

/** Fastify's own client errors (bad JSON body, unsupported media type...) keep their 4xx status. */
function toHttpError(error: FastifyError | Error): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof QuerySyntaxError) {
    return new HttpError(400, 'invalid_query', error.message, {}, { position: error.position });
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (error as FastifyError).code?.replace(/^FST_ERR_/, '').toLowerCase() ?? 'bad_request';
    return new HttpError(status, code, error.message);
  }
  return null;
}

const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route the app serves, as registered (the route matrix test walks them all). */
export function listRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}

/**
 * Builds the HTTP app on a store: every route, and the caches they share (one ProjectKeyCache for
 * Sentry ingest, OTLP ingest and key revocation). Settings come from the config only.
 */
export function buildApp(config: ServerConfig, store: Store): FastifyInstance {
  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    // A client that stalls mid-body must not hold a connection forever.
    requestTimeout: 60_000,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
  });

  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });

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

  app.get('/healthz', async () => ({ ok: true, store: store.backend }));
  app.register(fastifyCookie);
  authorizeEveryRoute(app, store);
  // One cache for both ingest paths: revoking a key (projectRoutes) must stop both at once.
  const keys = new ProjectKeyCache(store);
  app.register(ingestRoutes, { store, limits: config.limits, keys, bodyBudget });
  app.register(otlpRoutes, { store, limits: config.limits, keys, bodyBudget });
  app.register(projectRoutes, { store, publicUrl: config.publicUrl, keys });
  app.register(issueRoutes, { store });
  app.register(analyticsRoutes, { store });
  app.register(traceRoutes, { store });
  app.register(logRoutes, { store });
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
