import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { alertRuleRoutes } from './api/alert-rules.js';
import { analyticsRoutes } from './api/analytics.js';
import { issueRoutes } from './api/issues.js';
import { logRoutes } from './api/logs.js';
import { traceRoutes } from './api/traces.js';
import { projectRoutes } from './api/projects.js';
import type { ServerConfig } from './config.js';
import { HttpError } from './errors.js';
import { QuerySyntaxError } from './query/ast.js';
import { ProjectKeyCache } from './ingest/project-keys.js';
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

export function buildApp(config: ServerConfig, store: Store): FastifyInstance {
  const app = Fastify({
    logger: { level: process.env.PROLIFERATE_LOG_LEVEL ?? 'warn' },
    bodyLimit: 1024 * 1024,
    trustProxy: process.env.PROLIFERATE_TRUST_PROXY === 'true',
    // A client that stalls mid-body must not hold a connection forever.
    requestTimeout: 60_000,
    return503OnClosing: true,
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

  app.get('/healthz', async () => ({ ok: true, store: store.backend }));
  const keys = new ProjectKeyCache(store);
  app.register(ingestRoutes, { store, limits: config.limits, keys });
  app.register(otlpRoutes, { store, limits: config.limits });
  app.register(projectRoutes, { store, publicUrl: config.publicUrl, keys });
  app.register(issueRoutes, { store });
  app.register(analyticsRoutes, { store });
  app.register(traceRoutes, { store });
  app.register(logRoutes, { store });
  app.register(alertRuleRoutes, {
    store,
    publicUrl: config.publicUrl,
    smtpUrl: config.smtpUrl,
    emailFrom: config.emailFrom,
    outboundAllowPrivate: config.outboundAllowPrivate,
  });
  app.register(import('./api/dashboard.js'));
  return app;
}
