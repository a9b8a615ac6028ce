/**
 * Browser breadcrumbs: console calls, fetch and XHR requests, navigation (history API, back /
 * forward, hash changes) and clicks (element path and masked text). A navigation in a single-page app starts a new trace, as a page load does.
 * Every wrapper restores the original on teardown and never lets its own failure reach the app.
 */
import { getIsolationScope, safeString, stripUrlSecrets, type Client, type Integration, type Level } from '../core/index.js';

type Restore = () => void;

function wrap<T extends object, K extends keyof T>(target: T, key: K, make: (original: T[K]) => T[K], restores: Restore[]): void {
  const original = target[key];
  if (typeof original !== 'function') return;
  target[key] = make(original);
  restores.push(() => {
    target[key] = original;
  });
}

function statusLevel(status: number | undefined): Level {
  return status === undefined || status >= 500 ? 'error' : status >= 400 ? 'warning' : 'info';
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? safeString(value);
  } catch {
    return safeString(value);
  }
}

function absoluteUrl(url: string): string {
  try {
    return new URL(url, location.href).href;
  } catch {
    return url;
  }
}

const PATH_DEPTH = 5;
const MAX_TEXT = 50;

/** One element as `tag#id.class1.class2[name="..."]`: what tells it apart, never its contents. */
function describeElement(el: Element): string {
  let out = el.tagName.toLowerCase();
  if (el.id) out += `#${el.id.slice(0, 40)}`;
  const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean).slice(0, 3) : [];
  for (const c of classes) out += `.${c.slice(0, 40)}`;
  for (const attr of ['name', 'type', 'data-testid', 'role']) {
    const value = el.getAttribute(attr);
    if (value) out += `[${attr}="${value.slice(0, 40)}"]`;
  }
  return out;
}

/** `body > main#shop > form.pay > button#pay[type="submit"]`, at most five levels up. */
export function elementPath(el: Element): string {
  const parts: string[] = [];
  for (let node: Element | null = el; node && parts.length < PATH_DEPTH; node = node.parentElement) {
    parts.unshift(describeElement(node));
    if (node.tagName === 'BODY' || node.id) break; // an id is unique enough to start from
  }
  return parts.join(' > ');
}

/**
 * The clicked element's visible text with every letter and digit masked (`Pay €42` -> `*** €**`):
 * its shape tells which button it was, while a name or an amount typed into the page stays out.
 */
export function maskedText(el: Element): string {
  const text = ((el as HTMLElement).innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
  const masked = text.replace(/[\p{L}\p{N}]/gu, '*');
  return masked.length > MAX_TEXT ? `${masked.slice(0, MAX_TEXT - 1)}…` : masked;
}

export function breadcrumbsIntegration(options: { console?: boolean; fetch?: boolean; xhr?: boolean; navigation?: boolean; clicks?: boolean } = {}): Integration {
  const restores: Restore[] = [];
  return {
    name: 'Breadcrumbs',
    setup(client: Client) {
      const ingest = client.target?.url.split('?')[0];
      const isOwn = (url: string) => Boolean(ingest && url.startsWith(ingest));
      const httpCrumb = (category: 'fetch' | 'xhr', method: string, url: string, status: number | undefined, start: number) => {
        if (isOwn(url)) return;
        client.addBreadcrumb({
          type: 'http',
          category,
          level: statusLevel(status),
          data: { method, url: stripUrlSecrets(url, client.sensitive), ...(status !== undefined ? { status_code: status } : {}), duration_ms: Date.now() - start },
        });
      };

      if (options.console !== false) {
        const levels: Record<string, Level> = { debug: 'debug', info: 'info', log: 'log', warn: 'warning', error: 'error' };
        const target = console as unknown as Record<string, (...args: unknown[]) => void> & { __proliferate_original__?: Record<string, unknown> };
        const originals: Record<string, unknown> = {};
        target.__proliferate_original__ = originals;
        for (const method of Object.keys(levels)) {
          originals[method] = target[method];
          wrap(target, method, (original) => function (this: unknown, ...args: unknown[]) {
            try {
              client.addBreadcrumb({ category: 'console', level: levels[method], message: args.map(stringify).join(' ') });
            } catch {
              // never break logging
            }
            return original.apply(this, args);
          }, restores);
        }
        restores.push(() => delete target.__proliferate_original__);
      }

      if (options.fetch !== false && typeof fetch === 'function') {
        wrap(globalThis, 'fetch', (original) => function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
          const start = Date.now();
          let method = 'GET';
          let url = '';
          try {
            url = absoluteUrl(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
            method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
          } catch {
            // keep the defaults
          }
          const result = original.call(this, input, init);
          result.then(
            (response) => httpCrumb('fetch', method, url, response.status, start),
            () => httpCrumb('fetch', method, url, undefined, start),
          );
          return result;
        } as typeof fetch, restores);
      }

      if (options.xhr !== false && typeof XMLHttpRequest === 'function') {
        const info = new WeakMap<XMLHttpRequest, { method: string; url: string; start: number }>();
        const proto = XMLHttpRequest.prototype;
        wrap(proto, 'open', (original) => function (this: XMLHttpRequest, ...args: unknown[]) {
          try {
            info.set(this, { method: String(args[0]).toUpperCase(), url: absoluteUrl(String(args[1])), start: 0 });
          } catch {
            // not ours to break
          }
          return (original as (...a: unknown[]) => void).apply(this, args);
        } as typeof proto.open, restores);
        wrap(proto, 'send', (original) => function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
          const entry = info.get(this);
          if (entry) {
            entry.start = Date.now();
            this.addEventListener('loadend', () => httpCrumb('xhr', entry.method, entry.url, this.status || undefined, entry.start));
          }
          return original.call(this, body);
        }, restores);
      }

      if (options.navigation !== false && typeof history === 'object') {
        let from = location.href;
        const navigated = (to: string) => {
          const target = absoluteUrl(to);
          if (target === from) return;
          client.addBreadcrumb({ category: 'navigation', data: { from: stripUrlSecrets(from, client.sensitive), to: stripUrlSecrets(target, client.sensitive) } });
          from = target;
          getIsolationScope().newTrace(); // a new view of a single-page app is a new trace
        };
        for (const method of ['pushState', 'replaceState'] as const) {
          wrap(history, method, (original) => function (this: History, data: unknown, unused: string, url?: string | URL | null) {
            const result = original.call(this, data, unused, url);
            try {
              if (url !== undefined && url !== null) navigated(String(url));
            } catch {
              // not ours to break
            }
            return result;
          }, restores);
        }
        const onPop = () => navigated(location.href);
        addEventListener('popstate', onPop);
        addEventListener('hashchange', onPop);
        restores.push(() => {
          removeEventListener('popstate', onPop);
          removeEventListener('hashchange', onPop);
        });
      }

      if (options.clicks !== false && typeof document === 'object') {
        const onClick = (event: Event) => {
          try {
            const raw = event.target as Node | null;
            const target = raw && raw.nodeType === 1 ? (raw as Element) : raw?.parentElement;
            if (!target) return;
            // A click on an icon inside a button is a click on the button.
            const element = target.closest('button, a, input, select, textarea, label, summary, [role="button"], [role="link"], [onclick]') ?? target;
            const text = element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement ? '' : maskedText(element);
            client.addBreadcrumb({ category: 'ui.click', message: elementPath(element), ...(text ? { data: { text } } : {}) });
          } catch {
            // a breadcrumb must never break the page's click
          }
        };
        // Capture phase: a handler that stops propagation still leaves the breadcrumb.
        document.addEventListener('click', onClick, true);
        restores.push(() => document.removeEventListener('click', onClick, true));
      }
    },
    teardown() {
      while (restores.length) restores.pop()!();
    },
  };
}
