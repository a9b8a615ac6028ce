/**
 * Automatic breadcrumbs in Node: console calls, and outgoing HTTP from node:http(s) and fetch.
 * HTTP is observed through diagnostics_channel rather than by patching modules, so it works for
 * ESM and CJS alike. The isolation scope is taken when the request starts: that is the request (or
 * task) that made the call, whatever context the response arrives in.
 */
import diagnostics from 'node:diagnostics_channel';
import { format } from 'node:util';
import { getIsolationScope, stripUrlSecrets, type Client, type Integration, type Level, type Scope } from '../core/index.js';

const CONSOLE_LEVELS: Record<string, Level> = { debug: 'debug', info: 'info', log: 'log', warn: 'warning', error: 'error' };

interface ConsoleWithOriginals {
  __proliferate_original__?: Record<string, (...args: unknown[]) => void>;
}

export function consoleIntegration(): Integration {
  const originals: Record<string, (...args: unknown[]) => void> = {};
  return {
    name: 'Console',
    setup(client) {
      const target = console as unknown as Record<string, (...args: unknown[]) => void> & ConsoleWithOriginals;
      target.__proliferate_original__ = originals;
      for (const method of Object.keys(CONSOLE_LEVELS)) {
        const original = target[method];
        if (typeof original !== 'function') continue;
        originals[method] = original;
        target[method] = function (this: unknown, ...args: unknown[]) {
          try {
            client.addBreadcrumb({ category: 'console', level: CONSOLE_LEVELS[method], message: format(...args) }, { input: args });
          } catch {
            // a breadcrumb must never break logging
          }
          return original.apply(this, args);
        };
      }
    },
    teardown() {
      const target = console as unknown as Record<string, unknown> & ConsoleWithOriginals;
      for (const [method, original] of Object.entries(originals)) target[method] = original;
      delete target.__proliferate_original__;
    },
  };
}

function statusLevel(status: number | undefined): Level {
  if (status === undefined) return 'error';
  if (status >= 500) return 'error';
  if (status >= 400) return 'warning';
  return 'info';
}

interface Pending {
  scope: Scope;
  method: string;
  url: string;
  start: number;
  category: 'http' | 'fetch';
}

export function httpBreadcrumbsIntegration(): Integration {
  const subscriptions: Array<[string, (message: unknown) => void]> = [];
  return {
    name: 'HttpBreadcrumbs',
    setup(client: Client) {
      const ingest = client.target ? client.target.url.split('?')[0]! : undefined;
      const pending = new WeakMap<object, Pending>();
      const record = (p: Pending, status: number | undefined) => {
        if (ingest && p.url.startsWith(ingest)) return; // our own envelopes are not breadcrumbs
        client.addBreadcrumb(
          {
            type: 'http',
            category: p.category,
            level: statusLevel(status),
            data: { method: p.method, url: stripUrlSecrets(p.url, client.sensitive), ...(status !== undefined ? { status_code: status } : {}), duration_ms: Date.now() - p.start },
          },
          undefined,
          p.scope,
        );
      };
      const subscribe = (name: string, fn: (message: unknown) => void) => {
        diagnostics.subscribe(name, fn);
        subscriptions.push([name, fn]);
      };

      // node:http and node:https
      subscribe('http.client.request.start', (message) => {
        const request = (message as { request: { method: string; protocol?: string; host?: string; path: string; getHeader(n: string): unknown } }).request;
        const host = String(request.getHeader('host') ?? request.host ?? '');
        const url = `${request.protocol ?? 'http:'}//${host}${request.path}`;
        const entry: Pending = { scope: getIsolationScope(), method: request.method, url, start: Date.now(), category: 'http' };
        pending.set(request, entry);
        (request as unknown as NodeJS.EventEmitter).once('error', () => record(entry, undefined));
      });
      subscribe('http.client.response.finish', (message) => {
        const { request, response } = message as { request: object; response: { statusCode?: number } };
        const entry = pending.get(request);
        if (entry) record(entry, response.statusCode);
      });

      // fetch (undici)
      subscribe('undici:request:create', (message) => {
        const request = (message as { request: { method: string; origin: string; path: string } }).request;
        pending.set(request, { scope: getIsolationScope(), method: request.method, url: `${request.origin}${request.path}`, start: Date.now(), category: 'fetch' });
      });
      subscribe('undici:request:headers', (message) => {
        const { request, response } = message as { request: object; response: { statusCode: number } };
        const entry = pending.get(request);
        if (entry) record(entry, response.statusCode);
      });
      subscribe('undici:request:error', (message) => {
        const entry = pending.get((message as { request: object }).request);
        if (entry) record(entry, undefined);
      });
    },
    teardown() {
      for (const [name, fn] of subscriptions) diagnostics.unsubscribe(name, fn);
      subscriptions.length = 0;
    },
  };
}
