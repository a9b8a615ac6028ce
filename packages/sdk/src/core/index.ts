/** The platform-independent core. Imports nothing from `node:*` or the DOM. */
export * from './api.js';
export { Client, type PlatformParts } from './client.js';
export { initClient } from './init.js';
export type { ClientOptions, Integration, BreadcrumbHint, TransportFactoryOptions } from './options.js';
export { Scope, mergeScopeData, DEFAULT_MAX_BREADCRUMBS, type ScopeData, type PropagationContext } from './scope.js';
export {
  getGlobalScope,
  getIsolationScope,
  getCurrentScope,
  withScope,
  withIsolationScope,
  withScopes,
  getScopes,
  setAsyncContextStrategy,
  getDefaultScopes,
  type AsyncContextStrategy,
  type ScopePair,
} from './scopes.js';
export { createTransport, type Transport, type TransportOptions, type MakeRequest, type TransportRequest, type TransportResponse } from './transport.js';
export type { Envelope, EnvelopeItem } from './envelope.js';
export { parseStack } from './stack.js';
export { startSpan, trace, updateCurrentTrace, getActiveSpan, Span, type StartSpanOptions } from './tracing.js';
export { logger, flushLogs } from './logger.js';
export { setTraceTag, deleteTraceTag, searchTraces, ProliferateApiError, type Trace, type TraceInfo, type SearchTracesOptions } from './trace-api.js';
export { detectRelease, detectEnvironment, RELEASE_VARIABLES, ENVIRONMENT_VARIABLES } from './env.js';
export { stripUrlSecrets } from './scrub.js';
export { uuid4 } from './ids.js';
export { debug, safeString } from './debug.js';
export type * from './types.js';
