/**
 * One isolation scope per incoming request: tags, user and breadcrumbs set while handling it stay
 * with it, also with many requests in flight. The scope forks when the request arrives; a new
 * trace starts (or the caller's continues); the request is recorded (method, URL, headers without cookies or authorization).
 *
 * AsyncLocalStorage follows promises and callbacks, but not listeners on the request stream: when
 * a body arrives in several TCP packets, 'data' / 'end' handlers run in the context of the
 * *connection*. So listeners added to req / res are bound to the request's context (bindEmitter).
 * Measured with a hand-written body reader and 30 concurrent slow bodies: without it 30 of 30
 * events carried another request's tags; with it none (node.test.ts). express.json and Fastify
 * bind their own callbacks already; multer, busboy and hand-written readers do not.
 */
import { AsyncResource } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import {
  getClient,
  getScopes,
  withIsolationScope,
  withScopes,
  type Integration,
  type RequestData,
  type ScopePair,
} from '../core/index.js';

const requestScopes = new WeakMap<object, ScopePair>();

type Listener = (...args: unknown[]) => void;

function bindEmitter(emitter: EventEmitter): void {
  const bound = new WeakMap<Listener, Listener>();
  const target = emitter as unknown as Record<string, (event: string | symbol, listener: Listener) => unknown>;
  for (const method of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (this: unknown, event, listener) {
      if (typeof listener !== 'function') return original.call(this, event, listener);
      let wrapped = bound.get(listener);
      if (!wrapped) {
        wrapped = AsyncResource.bind(listener) as Listener;
        bound.set(listener, wrapped);
      }
      return original.call(this, event, wrapped);
    };
  }
  for (const method of ['off', 'removeListener']) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (this: unknown, event, listener) {
      return original.call(this, event, bound.get(listener) ?? listener);
    };
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The trace a caller already started: `sentry-trace: <trace id>-<span id>[-<sampled>]` (Sentry's
 * browser SDKs) or W3C `traceparent: 00-<trace id>-<span id>-<flags>`. Continuing it lets the
 * server correlate a page's error with the API error it caused.
 */
export function incomingTraceId(req: http.IncomingMessage): string | undefined {
  const sentry = /^([0-9a-f]{32})-[0-9a-f]{16}(-[01])?$/i.exec(firstHeader(req.headers['sentry-trace'])?.trim() ?? '');
  if (sentry) return sentry[1]!.toLowerCase();
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i.exec(firstHeader(req.headers.traceparent)?.trim() ?? '');
  if (w3c && !/^0+$/.test(w3c[1]!)) return w3c[1]!.toLowerCase();
  return undefined;
}

export function requestData(req: http.IncomingMessage): RequestData {
  const encrypted = Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted);
  const protocol = firstHeader(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim() || (encrypted ? 'https' : 'http');
  const host = firstHeader(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie' || name === 'authorization' || name === 'proxy-authorization') continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method,
    url: `${protocol}://${host}${queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)}`,
    ...(queryAt === -1 ? {} : { query_string: rawUrl.slice(queryAt + 1) }),
    headers,
  };
}

/** The scopes a request runs in, for frameworks that need to re-enter them (Fastify hooks). */
export function getRequestScopes(req: object): ScopePair | undefined {
  return requestScopes.get(req);
}

/**
 * Runs `handle` in a fresh isolation scope for this request. Calling it again for the same request
 * (the automatic server integration and a middleware both) re-enters the first scope.
 */
export function runWithRequest<T>(req: http.IncomingMessage, res: http.ServerResponse | undefined, handle: () => T): T {
  const existing = requestScopes.get(req);
  if (existing) return withScopes(existing, handle);
  return withIsolationScope((isolationScope) => {
    try {
      const data = requestData(req);
      isolationScope.newTrace();
      const continued = incomingTraceId(req);
      if (continued) isolationScope.setPropagationContext({ ...isolationScope.propagationContext, traceId: continued });
      isolationScope.sdkData.request = data;
      isolationScope.sdkData.transaction = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
      if (getClient()?.options.sendDefaultPii && req.socket?.remoteAddress) {
        isolationScope.setUser({ ...isolationScope.user, ip_address: req.socket.remoteAddress });
      }
      requestScopes.set(req, getScopes());
      bindEmitter(req);
      if (res) bindEmitter(res);
    } catch {
      // recording the request is best effort; handling it is not ours to break
    }
    return handle();
  });
}

/** Captures an error with the scopes of the request it escaped from. */
export function captureRequestError(error: unknown, req: object | undefined, mechanism = 'http.server'): void {
  const client = getClient();
  if (!client) return;
  const scopes = (req && requestScopes.get(req)) || getScopes();
  client.captureException(error, { mechanism: { type: mechanism, handled: false } }, scopes);
}

/** Wraps a `node:http` request listener: per-request scope, and errors it throws or rejects are captured. */
export function wrapRequestHandler<Req extends http.IncomingMessage, Res extends http.ServerResponse>(
  handler: (req: Req, res: Res) => unknown,
): (req: Req, res: Res) => unknown {
  return function proliferateRequestHandler(this: unknown, req: Req, res: Res) {
    return runWithRequest(req, res, () => {
      try {
        const result = handler.call(this, req, res);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          return (result as Promise<unknown>).catch((error: unknown) => {
            captureRequestError(error, req);
            throw error;
          });
        }
        return result;
      } catch (error) {
        captureRequestError(error, req);
        throw error;
      }
    });
  };
}

/**
 * Forks the isolation scope for every request any node:http / node:https server receives, so
 * Express, Fastify, Koa or plain handlers get per-request scopes without further setup.
 */
export function httpServerIntegration(): Integration {
  const patched: Array<[{ emit: (...args: unknown[]) => boolean }, (...args: unknown[]) => boolean]> = [];
  return {
    name: 'HttpServer',
    setup() {
      const prototypes = new Set([http.Server.prototype, https.Server.prototype]) as Set<unknown> as Set<{ emit: (...args: unknown[]) => boolean }>;
      for (const proto of prototypes) {
        const original = proto.emit;
        patched.push([proto, original]);
        proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
          if (event !== 'request') return original.call(this, event, ...args);
          const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
          return runWithRequest(req, res, () => {
            try {
              return original.call(this, event, ...args);
            } catch (error) {
              captureRequestError(error, req);
              throw error;
            }
          });
        };
      }
    },
    teardown() {
      for (const [proto, original] of patched) proto.emit = original;
      patched.length = 0;
    },
  };
}
