/**
 * The SDK for Node.js: the core API, AsyncLocalStorage scopes, an http(s) transport with gzip, and
 * the default integrations (per-request scopes for every http server, uncaught errors, console and
 * outgoing-HTTP breadcrumbs, source context lines, a flush before exit).
 */
import { hostname } from 'node:os';
import { initClient, uuid4, type Client, type ClientOptions, type Integration } from '../core/index.js';
import { installAsyncLocalStorage } from './als.js';
import { consoleIntegration, httpBreadcrumbsIntegration } from './breadcrumbs.js';
import { dbBreadcrumbsIntegration } from './db-breadcrumbs.js';
import { contextLinesIntegration } from './context-lines.js';
import { flushOnExitIntegration, onUncaughtExceptionIntegration, onUnhandledRejectionIntegration } from './handlers.js';
import { httpServerIntegration } from './request.js';
import { makeNodeTransport } from './transport.js';

export * from '../core/index.js';
export { consoleIntegration, httpBreadcrumbsIntegration } from './breadcrumbs.js';
export { dbBreadcrumbsIntegration, type DbBreadcrumbsOptions } from './db-breadcrumbs.js';
export { contextLinesIntegration } from './context-lines.js';
export { flushOnExitIntegration, onUncaughtExceptionIntegration, onUnhandledRejectionIntegration } from './handlers.js';
export { httpServerIntegration, runWithRequest, wrapRequestHandler, captureRequestError, requestData } from './request.js';
export { expressRequestHandler, expressErrorHandler, setupExpressErrorHandler, setupFastifyErrorHandler } from './frameworks.js';
export { makeNodeTransport, GZIP_THRESHOLD } from './transport.js';

// One session per process (seed 001).
const sessionId = uuid4();

export function getDefaultIntegrations(): Integration[] {
  return [
    httpServerIntegration(),
    onUncaughtExceptionIntegration(),
    onUnhandledRejectionIntegration(),
    flushOnExitIntegration(),
    consoleIntegration(),
    httpBreadcrumbsIntegration(),
    dbBreadcrumbsIntegration(),
    contextLinesIntegration(),
  ];
}

/** Starts the SDK. Call once, as early as possible. Returns the client, or undefined if init failed. */
export function init(options: ClientOptions = {}): Client | undefined {
  installAsyncLocalStorage();
  let serverName: string | undefined;
  try {
    serverName = hostname();
  } catch {
    serverName = undefined;
  }
  return initClient(
    { serverName, ...options },
    { platform: 'node', makeTransport: makeNodeTransport, sessionId: () => sessionId },
    getDefaultIntegrations(),
  );
}
