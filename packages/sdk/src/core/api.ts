/**
 * The functions applications call (seed 003): each works on the right scope and never throws.
 * Data set through them lands on the isolation scope, so inside a request it is that request's
 * only; at start-up (no request yet) it is on the default isolation scope, which every request
 * inherits. `getGlobalScope()` is for data that must reach every event regardless.
 */
import type { Client } from './client.js';
import { debug } from './debug.js';
import type { BreadcrumbHint } from './options.js';
import type { Scope } from './scope.js';
import { getCarrierClient, getCurrentScope, getIsolationScope, getScopes } from './scopes.js';
import type { Account, Breadcrumb, CaptureContext, Event, EventHint, Level, User } from './types.js';

export function getClient(): Client | undefined {
  return getCarrierClient<Client>();
}

function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    debug.error(`${what} failed`, error);
  }
}

export function setTag(key: string, value: unknown): void {
  safely('setTag', () => getIsolationScope().setTag(key, value));
}

export function setTags(tags: Record<string, unknown>): void {
  safely('setTags', () => getIsolationScope().setTags(tags));
}

export function setContext(name: string, context: Record<string, unknown> | null): void {
  safely('setContext', () => getIsolationScope().setContext(name, context));
}

export function setExtra(key: string, value: unknown): void {
  safely('setExtra', () => getIsolationScope().setExtra(key, value));
}

export function setExtras(extras: Record<string, unknown>): void {
  safely('setExtras', () => getIsolationScope().setExtras(extras));
}

export function setUser(user: User | null): void {
  safely('setUser', () => getIsolationScope().setUser(user));
}

export function setAccount(account: Account | null): void {
  safely('setAccount', () => getIsolationScope().setAccount(account));
}

export function addBreadcrumb(breadcrumb: Breadcrumb, hint?: BreadcrumbHint): void {
  safely('addBreadcrumb', () => {
    const client = getClient();
    if (client) client.addBreadcrumb(breadcrumb, hint);
    else getIsolationScope().addBreadcrumb(breadcrumb);
  });
}

function isCaptureContext(value: unknown): value is CaptureContext {
  return value !== null && typeof value === 'object';
}

/** `captureException(error, { tags, extra, contexts, user, level, fingerprint })`; returns the event id. */
export function captureException(error: unknown, context?: CaptureContext): string {
  try {
    const client = getClient();
    const hint: EventHint = {};
    if (isCaptureContext(context)) hint.captureContext = context;
    return client ? client.captureException(error, hint, getScopes()) : '';
  } catch (problem) {
    debug.error('captureException failed', problem);
    return '';
  }
}

/** `captureMessage(message, level)` or `captureMessage(message, { level, tags, ... })`. */
export function captureMessage(message: string, levelOrContext?: Level | CaptureContext): string {
  try {
    const client = getClient();
    if (!client) return '';
    const context = typeof levelOrContext === 'string' ? { level: levelOrContext } : isCaptureContext(levelOrContext) ? levelOrContext : undefined;
    return client.captureMessage(message, context?.level ?? 'info', context ? { captureContext: context } : {}, getScopes());
  } catch (problem) {
    debug.error('captureMessage failed', problem);
    return '';
  }
}

export function captureEvent(event: Event, hint?: EventHint): string {
  try {
    const client = getClient();
    return client ? client.captureEvent(event, hint, getScopes()) : '';
  } catch (problem) {
    debug.error('captureEvent failed', problem);
    return '';
  }
}

/** The id of the last event captured in this request / task (the isolation scope). */
export function lastEventId(): string | undefined {
  return getIsolationScope().lastEventId;
}

export function flush(timeout?: number): Promise<boolean> {
  const client = getClient();
  return client ? client.flush(timeout).catch(() => false) : Promise.resolve(true);
}

export function close(timeout?: number): Promise<boolean> {
  const client = getClient();
  return client ? client.close(timeout).catch(() => false) : Promise.resolve(true);
}

/** The trace id events and logs carry now (the active span's, else the request's or page's). */
export function getTraceId(): string {
  const { scope, isolationScope } = getScopes();
  return scope.span?.traceId ?? isolationScope.propagationContext.traceId;
}

export function getSessionId(): string | undefined {
  return getClient()?.platform.sessionId();
}

export function getWindowId(): string | undefined {
  return getClient()?.platform.windowId?.();
}

export function configureScope(callback: (scope: Scope) => void): void {
  safely('configureScope', () => callback(getCurrentScope()));
}
