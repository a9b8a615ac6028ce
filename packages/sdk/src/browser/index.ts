/**
 * The SDK for browsers: the core API, a fetch transport (keepalive while the page unloads),
 * window error capture, console / fetch / XHR / navigation breadcrumbs, session and window ids.
 */
import { flush, initClient, type Client, type ClientOptions, type Integration } from '../core/index.js';
import { breadcrumbsIntegration } from './breadcrumbs.js';
import { globalHandlersIntegration } from './handlers.js';
import { getBrowserSessionId, getBrowserWindowId } from './ids.js';
import { tracePropagationIntegration, type PropagationTarget } from './propagation.js';
import { makeFetchTransport } from './transport.js';

export * from '../core/index.js';
export { breadcrumbsIntegration } from './breadcrumbs.js';
export { globalHandlersIntegration } from './handlers.js';
export { makeFetchTransport } from './transport.js';
export { tracePropagationIntegration, type PropagationTarget } from './propagation.js';

let unloading = false;
let listening = false;

export function getDefaultIntegrations(options: BrowserOptions = {}): Integration[] {
  const integrations = [globalHandlersIntegration(), breadcrumbsIntegration()];
  if (options.tracePropagationTargets?.length) integrations.push(tracePropagationIntegration(options.tracePropagationTargets));
  return integrations;
}

export interface BrowserOptions extends ClientOptions {
  /**
   * URLs (prefixes, RegExps, or 'same-origin') whose requests get a `sentry-trace` header so the
   * backend continues the page's trace. Default: none.
   */
  tracePropagationTargets?: PropagationTarget[];
}

/** Starts the SDK. Call once, as early as possible in the page. */
export function init(options: BrowserOptions = {}): Client | undefined {
  if (typeof addEventListener === 'function' && !listening) {
    listening = true;
    // From here on requests need keepalive to outlive the page; send what is buffered now.
    const leaving = () => {
      unloading = true;
      void flush(0);
    };
    addEventListener('pagehide', leaving);
    addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') leaving();
      else unloading = false;
    });
  }
  return initClient(
    options,
    {
      platform: 'javascript',
      makeTransport: (transportOptions) => makeFetchTransport({ ...transportOptions, isUnloading: () => unloading }),
      sessionId: () => getBrowserSessionId(),
      windowId: () => getBrowserWindowId(),
    },
    getDefaultIntegrations(options),
  );
}
