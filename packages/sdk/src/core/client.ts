/**
 * The client owns options, transport and integrations. Capturing is split in two: a synchronous
 * part that snapshots the scopes (so tags are the ones of this moment and this request), and an
 * asynchronous part (integrations, beforeSend, scrubbing, serialising) that never delays the caller.
 */
import { attachDebugIds } from './debug-ids.js';
import { debug, setDebug } from './debug.js';
import { targetFromOptions, type IngestTarget } from './dsn.js';
import { detectEnvironment, detectRelease } from './env.js';
import { eventEnvelope, SDK_NAME, SDK_VERSION, type Envelope } from './envelope.js';
import { eventFromException, eventFromMessage } from './eventbuilder.js';
import { nowSeconds, uuid4 } from './ids.js';
import { flushLogs } from './logger.js';
import type { BreadcrumbHint, ClientOptions, Integration, TransportFactoryOptions } from './options.js';
import { DEFAULT_MAX_BREADCRUMBS, mergeScopeData, type Scope } from './scope.js';
import { getGlobalScope, getScopes, type ScopePair } from './scopes.js';
import { keyMatcher, type KeyMatcher } from './scrub.js';
import { scrubEvent } from './scrub-event.js';
import { MAX_TAG_DROPS, validTagValue } from './tags.js';
import type { Transport } from './transport.js';
import type { Breadcrumb, Event, EventHint, Level } from './types.js';

/** What a platform adds: its transport, its name, how ids are kept. */
export interface PlatformParts {
  platform: string;
  makeTransport(options: TransportFactoryOptions): Transport;
  sessionId(): string;
  windowId?(): string | undefined;
}

const capturedErrors = new WeakMap<object, string>();

export class Client {
  readonly options: ClientOptions & { environment: string; maxBreadcrumbs: number; sampleRate: number };
  readonly target: IngestTarget | undefined;
  readonly transport: Transport | undefined;
  readonly sensitive: KeyMatcher;
  readonly platform: PlatformParts;
  private readonly integrations: Integration[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: ClientOptions, platform: PlatformParts, defaults: Integration[] = []) {
    setDebug(Boolean(options.debug));
    this.platform = platform;
    this.options = {
      ...options,
      environment: options.environment ?? detectEnvironment(),
      release: options.release ?? detectRelease(),
      maxBreadcrumbs: options.maxBreadcrumbs ?? DEFAULT_MAX_BREADCRUMBS,
      sampleRate: options.sampleRate ?? 1,
    };
    this.sensitive = keyMatcher(options.scrubKeys, options.scrubDefaults !== false);
    this.target = targetFromOptions(options);
    if ((options.dsn || options.endpoint) && !this.target) debug.warn('could not read the dsn / endpoint; nothing will be sent');
    const enabled = options.enabled !== false && this.target !== undefined;
    if (enabled) {
      const factoryOptions = { ...options.transportOptions, url: this.target!.url };
      this.transport = (options.transport ?? platform.makeTransport)(factoryOptions);
    }
    const chosen = options.defaultIntegrations === false ? [] : defaults;
    const list =
      typeof options.integrations === 'function' ? options.integrations(chosen) : [...chosen, ...(options.integrations ?? [])];
    // one integration per name: a user's own instance replaces the default one
    const byName = new Map<string, Integration>();
    for (const integration of list) byName.set(integration.name, integration);
    this.integrations = [...byName.values()];
  }

  /** Installs integrations; separate from the constructor so `init` can make the client current first. */
  setupIntegrations(): void {
    for (const integration of this.integrations) {
      try {
        integration.setup?.(this);
      } catch (error) {
        debug.error(`integration ${integration.name} failed to set up`, error);
      }
    }
  }

  getIntegration<T extends Integration>(name: string): T | undefined {
    return this.integrations.find((i) => i.name === name) as T | undefined;
  }

  isEnabled(): boolean {
    return this.transport !== undefined && !this.closed;
  }

  captureException(error: unknown, hint: EventHint = {}, scopes: ScopePair = getScopes()): string {
    // One error reaches several automatic handlers (a framework's, then unhandledRejection): report
    // it once. An explicit captureException call always reports.
    const automatic = hint.mechanism?.handled === false;
    if (automatic && error !== null && typeof error === 'object') {
      const previous = capturedErrors.get(error);
      if (previous) return previous;
    }
    // The exception itself is built after the caller returns (see processAndSend): reading
    // error.stack makes V8 format it, which alone costs ~45 µs for 15 frames, and parsing ~17 µs.
    const event: Event = { level: 'error' };
    const eventId = this.captureEvent(event, { ...hint, originalException: error, deferredException: true }, scopes);
    if (error !== null && typeof error === 'object') capturedErrors.set(error, eventId);
    return eventId;
  }

  captureMessage(message: string, level: Level = 'info', hint: EventHint = {}, scopes: ScopePair = getScopes()): string {
    return this.captureEvent(eventFromMessage(message, level), hint, scopes);
  }

  captureEvent(event: Event, hint: EventHint = {}, scopes: ScopePair = getScopes()): string {
    const eventId = (event.event_id ??= uuid4());
    try {
      const isTransaction = event.type === 'transaction';
      if (!isTransaction) scopes.isolationScope.lastEventId = eventId;
      if (!this.isEnabled()) return eventId;
      if (!isTransaction && Math.random() >= this.options.sampleRate) {
        debug.log('event dropped by sampleRate');
        return eventId;
      }
      const prepared = this.prepareEvent(event, hint, scopes);
      this.track(this.processAndSend(prepared, hint));
    } catch (error) {
      debug.error('could not capture an event', error);
    }
    return eventId;
  }

  /** Snapshots the scopes into the event, synchronously. */
  prepareEvent(event: Event, hint: EventHint, scopes: ScopePair): Event {
    let current: Scope = scopes.scope;
    if (hint.captureContext) current = current.clone().update(hint.captureContext);
    const data = mergeScopeData([getGlobalScope(), scopes.isolationScope, current], this.options.maxBreadcrumbs);
    const options = this.options;
    event.timestamp ??= nowSeconds();
    event.platform ??= this.platform.platform;
    event.environment ??= options.environment;
    if (options.release) event.release ??= options.release;
    if (options.serverName) event.server_name ??= options.serverName;
    event.sdk = { name: SDK_NAME, version: SDK_VERSION };

    const tags: Record<string, string> = { ...data.tags };
    const drops = { ...data.tagDrops };
    if (event.tags) {
      for (const [key, value] of Object.entries(event.tags)) {
        const text = validTagValue(key, value, drops);
        if (text !== undefined) tags[key] = text;
      }
    }
    event.tags = tags;
    // A key set validly on a later scope or on the event wins over an earlier drop of it.
    const shown = Object.values(drops).filter((drop) => tags[drop.key] === undefined).slice(0, MAX_TAG_DROPS);
    if (shown.length) event.errors = [...(event.errors ?? []), ...shown];
    event.extra = { ...data.extra, ...event.extra };
    event.contexts = { ...data.contexts, ...event.contexts };
    if (data.user) event.user = { ...data.user, ...event.user };
    if (data.account) event.account = { ...data.account, ...event.account };
    if (data.level && event.type !== 'transaction') event.level = data.level;
    if (data.fingerprint && !event.fingerprint) event.fingerprint = data.fingerprint;
    const request = data.sdkData.request as Event['request'] | undefined;
    if (request && !event.request) event.request = request;
    if (data.sdkData.transaction && !event.transaction) event.transaction = data.sdkData.transaction as string;
    if (event.type !== 'transaction' && data.breadcrumbs.length) {
      event.breadcrumbs = [...data.breadcrumbs, ...(event.breadcrumbs ?? [])].slice(-options.maxBreadcrumbs);
    }
    if (!event.contexts.trace) {
      const span = data.span;
      event.contexts.trace = span
        ? { trace_id: span.traceId, span_id: span.spanId }
        : { trace_id: data.propagationContext.traceId, span_id: data.propagationContext.spanId };
    }
    const windowId = this.platform.windowId?.();
    // contexts.session.id as the Python SDK sends it; the server reads both ids from there
    event.contexts.session = { id: this.platform.sessionId(), ...(windowId ? { window_id: windowId } : {}) };
    return event;
  }

  private async processAndSend(event: Event, hint: EventHint): Promise<void> {
    // Everything below (integrations, beforeSend, scrubbing, serialising) runs after the caller
    // has its event id back: this await is what keeps captureException under 100 µs.
    await undefined;
    if (hint.deferredException) {
      const built = eventFromException(hint.originalException, hint.mechanism ?? { type: 'generic', handled: true });
      event.exception = built.exception;
      if (built.extra) event.extra = { ...event.extra, ...built.extra };
    }
    attachDebugIds(event);
    let processed: Event | null = event;
    for (const integration of this.integrations) {
      if (!processed) break;
      if (!integration.processEvent) continue;
      try {
        processed = await integration.processEvent(processed, hint, this);
      } catch (error) {
        debug.error(`integration ${integration.name} failed on an event`, error);
      }
    }
    if (!processed) return;
    const before = processed.type === 'transaction' ? this.options.beforeSendTransaction : this.options.beforeSend;
    if (before) {
      try {
        processed = await before(processed, hint);
      } catch (error) {
        debug.error('beforeSend threw; the event is sent unchanged', error);
      }
      if (!processed) {
        debug.log('event dropped by beforeSend');
        return;
      }
    }
    this.sendEnvelope(eventEnvelope(this.scrub(processed), this.target?.dsn));
  }

  /** Secrets out, and JSON-safe (see scrub-event.ts). */
  scrub(event: Event): Event {
    return scrubEvent(event, this.sensitive);
  }

  sendEnvelope(envelope: Envelope): void {
    if (!this.transport) return;
    this.transport.send(envelope);
  }

  /** Adds a breadcrumb to the isolation scope (one request's trail), through beforeBreadcrumb. */
  addBreadcrumb(breadcrumb: Breadcrumb, hint?: BreadcrumbHint, scope: Scope = getScopes().isolationScope): void {
    try {
      let crumb: Breadcrumb | null = { timestamp: nowSeconds(), ...breadcrumb };
      if (this.options.beforeBreadcrumb) crumb = this.options.beforeBreadcrumb(crumb, hint);
      if (crumb) scope.addBreadcrumb(crumb, this.options.maxBreadcrumbs);
    } catch (error) {
      debug.error('could not add a breadcrumb', error);
    }
  }

  /** Tracks async work so flush() can wait for it. */
  track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error) => debug.error('event processing failed', error));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Waits for events being processed and sent; false if `timeout` ms passed first. */
  async flush(timeout?: number): Promise<boolean> {
    const start = Date.now();
    flushLogs(this);
    const processing = Promise.all([...this.pending]).then(() => true);
    const inTime =
      timeout === undefined || timeout <= 0
        ? await processing
        : await Promise.race([processing, new Promise<boolean>((resolve) => unrefTimer(setTimeout(() => resolve(false), timeout)))]);
    if (!inTime) return false;
    if (!this.transport) return true;
    const left = timeout === undefined || timeout <= 0 ? undefined : Math.max(1, timeout - (Date.now() - start));
    return this.transport.flush(left);
  }

  async close(timeout = this.options.shutdownTimeout ?? 2000): Promise<boolean> {
    const flushed = await this.flush(timeout);
    this.stop();
    return flushed;
  }

  /**
   * Stops capturing and removes the integrations now (synchronously, so a new client's
   * integrations set up right after are not undone); what is already queued is still sent.
   */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    for (const integration of this.integrations) {
      try {
        integration.teardown?.();
      } catch {
        // closing must not throw
      }
    }
  }
}

function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
