/**
 * Structured logs: one JSON object per line (Fastify's pino), with an ISO time, the service name,
 * and for requests the method, the route pattern, the path without its query string (which may
 * hold a key: `sentry_key=`), status and duration. Never event data, headers, bodies or tokens.
 */
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from './config.js';

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
  routeOptions?: { url?: string };
}

const pathOnly = (url: string | undefined) => (url === undefined ? undefined : url.split('?')[0]!.slice(0, 300));

export function loggerOptions(level: LogLevel): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service: 'proliferate', pid: process.pid },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: {
      req: (request: RequestLike) => ({ method: request.method, path: pathOnly(request.url), route: request.routeOptions?.url, ip: request.ip }),
      res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
    },
  };
}
