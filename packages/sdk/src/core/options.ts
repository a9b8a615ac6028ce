/** The options `init` takes, and their documented defaults (docs/sdk/javascript.md). */
import type { Transport, TransportOptions } from './transport.js';
import type { Breadcrumb, CaptureContext, Event, EventHint } from './types.js';
import type { Client } from './client.js';

export interface Integration {
  name: string;
  /** Called once when the client starts: install handlers, wrap globals. */
  setup?(client: Client): void;
  /** May change or drop (null) an event before beforeSend; may be async (source lines). */
  processEvent?(event: Event, hint: EventHint, client: Client): Event | null | PromiseLike<Event | null>;
  /** Undo what setup did (tests, close()). */
  teardown?(): void;
}

export interface BreadcrumbHint {
  [key: string]: unknown;
}

export interface ClientOptions {
  /** `https://<publicKey>@host/<projectId>`; or `endpoint` + `apiKey` (+ `projectId`). */
  dsn?: string;
  endpoint?: string;
  apiKey?: string;
  projectId?: string | number;
  /** Query API token for setTraceTag / deleteTraceTag / searchTraces. Default: PROLIFERATE_API_TOKEN. */
  apiToken?: string;
  /** Default: PROLIFERATE_ENVIRONMENT, NODE_ENV, ENVIRONMENT, ENV, else 'production'. */
  environment?: string;
  /** Default: PROLIFERATE_RELEASE, then the CI / platform commit variables. */
  release?: string;
  serverName?: string;
  /** Share of error events sent, 0..1. Default 1. */
  sampleRate?: number;
  /** Share of root spans sent as transactions, 0..1. Default: unset, no transactions are sent. */
  tracesSampleRate?: number;
  /** Breadcrumbs kept per event. Default 50 (seed 002; Sentry's SDKs keep 100). */
  maxBreadcrumbs?: number;
  beforeSend?(event: Event, hint: EventHint): Event | null | PromiseLike<Event | null>;
  beforeSendTransaction?(event: Event): Event | null | PromiseLike<Event | null>;
  beforeBreadcrumb?(breadcrumb: Breadcrumb, hint?: BreadcrumbHint): Breadcrumb | null;
  /** Print what the SDK does (dropped tags, retries) to the console. Default false. */
  debug?: boolean;
  /** Extra integrations, or a function that receives the defaults and returns the list. */
  integrations?: Integration[] | ((defaults: Integration[]) => Integration[]);
  /** Set false to start with no automatic integrations. Default true. */
  defaultIntegrations?: boolean;
  /** Attach personal data the SDK can see itself (the client IP of a request). Default false. */
  sendDefaultPii?: boolean;
  /** More key names (or patterns) whose values are replaced by [Filtered]. */
  scrubKeys?: Array<string | RegExp>;
  /** Set false to turn off the built-in sensitive key list. Default true. */
  scrubDefaults?: boolean;
  /** Tags, user, ... applied to the global scope at init (persistent tags, seed 000). */
  initialScope?: CaptureContext;
  /** Set false to turn the SDK off (nothing is sent). Default true when a target is given. */
  enabled?: boolean;
  /** How long close() and process exit wait for pending events, ms. Default 2000. */
  shutdownTimeout?: number;
  /** Replace the transport (tests, proxies). */
  transport?: (options: TransportFactoryOptions) => Transport;
  transportOptions?: TransportOptions;
  /** Send logger.* calls as logs. Default false (they still become breadcrumbs). */
  enableLogs?: boolean;
}

export interface TransportFactoryOptions extends TransportOptions {
  url: string;
  /** True when the page is unloading (browser): use keepalive. */
  isUnloading?: () => boolean;
}
