/**
 * Sends the page's trace to your backend: requests whose URL matches `tracePropagationTargets`
 * get a `sentry-trace: <trace id>-<span id>` header, which the Node SDK (and Sentry's server SDKs)
 * continue, so an error in the page and the API error it caused share one trace id. Off unless
 * targets are given: adding a header to a cross-origin request triggers a CORS preflight.
 */
import { getActiveSpan, getIsolationScope, type Client, type Integration } from '../core/index.js';

export type PropagationTarget = string | RegExp;

function matches(url: string, targets: PropagationTarget[]): boolean {
  let absolute = url;
  try {
    absolute = new URL(url, location.href).href;
  } catch {
    // keep it as given
  }
  const sameOrigin = typeof location === 'object' && absolute.startsWith(location.origin + '/');
  return targets.some((target) =>
    typeof target === 'string' ? (target === 'same-origin' ? sameOrigin : absolute.startsWith(target)) : target.test(absolute),
  );
}

function traceHeader(): string {
  const span = getActiveSpan();
  if (span) return `${span.traceId}-${span.spanId}`;
  const context = getIsolationScope().propagationContext;
  return `${context.traceId}-${context.spanId}`;
}

export function tracePropagationIntegration(targets: PropagationTarget[]): Integration {
  const restores: Array<() => void> = [];
  return {
    name: 'TracePropagation',
    setup(_client: Client) {
      if (typeof fetch === 'function') {
        const original = globalThis.fetch;
        globalThis.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
          try {
            const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
            if (matches(url, targets)) {
              const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
              if (!headers.has('sentry-trace')) headers.set('sentry-trace', traceHeader());
              init = { ...init, headers };
            }
          } catch {
            // the request goes out unchanged
          }
          return original.call(this, input, init);
        } as typeof fetch;
        restores.push(() => (globalThis.fetch = original));
      }
      if (typeof XMLHttpRequest === 'function') {
        const proto = XMLHttpRequest.prototype;
        const open = proto.open;
        const urls = new WeakMap<XMLHttpRequest, string>();
        proto.open = function (this: XMLHttpRequest, ...args: unknown[]) {
          urls.set(this, String(args[1]));
          return (open as (...a: unknown[]) => void).apply(this, args);
        } as typeof proto.open;
        const send = proto.send;
        proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
          try {
            const url = urls.get(this);
            if (url !== undefined && matches(url, targets)) this.setRequestHeader('sentry-trace', traceHeader());
          } catch {
            // the request goes out unchanged
          }
          return send.call(this, body);
        };
        restores.push(() => {
          proto.open = open;
          proto.send = send;
        });
      }
    },
    teardown() {
      while (restores.length) restores.pop()!();
    },
  };
}
