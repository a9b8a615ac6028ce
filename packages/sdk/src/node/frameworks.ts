/**
 * Express and Fastify. With the default HttpServer integration every request already runs in its
 * own scope; these helpers make that explicit (and work without it) and capture the errors that
 * escape handlers, with that request's tags. Client errors (status < 500) are not captured.
 */
import type http from 'node:http';
import { withScopes } from '../core/index.js';
import { captureRequestError, getRequestScopes, runWithRequest } from './request.js';

function isServerError(error: unknown): boolean {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.statusCode ?? (error as { status?: unknown } | null)?.status;
  return typeof status !== 'number' || status >= 500;
}

type Next = (error?: unknown) => void;

/** `app.use(expressRequestHandler())` before your routes: one isolation scope per request. */
export function expressRequestHandler() {
  return function proliferateRequest(req: http.IncomingMessage, res: http.ServerResponse, next: Next): void {
    runWithRequest(req, res, () => next());
  };
}

/** `app.use(expressErrorHandler())` after your routes: captures the error, then passes it on. */
export function expressErrorHandler() {
  return function proliferateError(error: unknown, req: http.IncomingMessage, _res: http.ServerResponse, next: Next): void {
    if (isServerError(error)) captureRequestError(error, req, 'express');
    next(error);
  };
}

/** Registers the request handler first-thing-possible and the error handler. Call after your routes. */
export function setupExpressErrorHandler(app: { use(handler: unknown): unknown }): void {
  app.use(expressErrorHandler());
}

interface FastifyRequestLike {
  raw: http.IncomingMessage;
}
interface FastifyReplyLike {
  raw: http.ServerResponse;
}
type Done = (error?: Error) => void;
interface FastifyLike {
  addHook(name: 'onRequest' | 'preHandler', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: unknown, done: Done) => void): unknown;
}

/**
 * `setupFastifyErrorHandler(app)` on the root instance, before routes: per-request scopes (entered
 * again before the handler, after body parsing) and capture of errors handlers throw.
 */
export function setupFastifyErrorHandler(app: FastifyLike): void {
  app.addHook('onRequest', (request, reply, done) => {
    runWithRequest(request.raw, reply.raw, () => done());
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const scopes = getRequestScopes(request.raw);
    if (scopes) withScopes(scopes, () => done());
    else done();
  });
  app.addHook('onError', (request, _reply, error, done) => {
    if (isServerError(error)) captureRequestError(error, request.raw, 'fastify');
    done();
  });
}
