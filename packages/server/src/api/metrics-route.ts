/**
 * GET /metrics in the Prometheus text format. Who may read it (docs/operations.md): anyone when
 * PROLIFERATE_METRICS_PUBLIC is on; else a scraper sending PROLIFERATE_METRICS_TOKEN as a bearer
 * token, or an admin's API token or session.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsConfig } from '../config.js';
import { HttpError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import type { Store } from '../store/types.js';
import { requireRole } from './auth.js';

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function metricsRoute(app: FastifyInstance, options: { store: Store; metrics: ServerMetrics; config: MetricsConfig }) {
  const { metrics, config } = options;
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format); see docs/operations.md for who may read them', tags: ['server'], security: [{ token: [] }] } },
    async (request, reply) => {
      if (!config.public && !(config.token && bearerMatches(request, config.token))) {
        try {
          await requireRole(request, options.store, 'admin');
        } catch (error) {
          if (error instanceof HttpError && error.status === 401) {
            throw new HttpError(401, 'unauthorized', 'Send the metrics token (PROLIFERATE_METRICS_TOKEN) or an admin API token as a bearer token', { 'www-authenticate': 'Bearer' });
          }
          throw error;
        }
      }
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
