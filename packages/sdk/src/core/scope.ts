/**
 * A scope is plain data with chainable setters. Three of them apply to every event (seed 002):
 * global (the process), isolation (a request or task) and current (`withScope`), merged in that order.
 */
import { debug } from './debug.js';
import { newSpanId, newTraceId, nowSeconds } from './ids.js';
import { validTagValue, type TagDrop } from './tags.js';
import type { Account, Breadcrumb, CaptureContext, Level, User } from './types.js';

export interface PropagationContext {
  traceId: string;
  /** The span id errors attach to when no span is active. */
  spanId: string;
}

/** The span shape the scope needs; tracing.ts has the full one. */
export interface ScopeSpan {
  readonly traceId: string;
  readonly spanId: string;
}

export interface ScopeData {
  tags: Record<string, string>;
  /** Tags set on the scope and dropped for breaking a rule, by key (at most MAX_TAG_DROPS). */
  tagDrops: Record<string, TagDrop>;
  extra: Record<string, unknown>;
  contexts: Record<string, Record<string, unknown>>;
  user: User | undefined;
  account: Account | undefined;
  breadcrumbs: Breadcrumb[];
  level: Level | undefined;
  fingerprint: string[] | undefined;
  propagationContext: PropagationContext;
  span: ScopeSpan | undefined;
  /** Data the SDK itself attaches (the request an isolation scope belongs to). */
  sdkData: Record<string, unknown>;
}

export const DEFAULT_MAX_BREADCRUMBS = 50;

/** Setters take whatever the application passes (proxies, throwing getters) and must not throw. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    debug.warn('ignored a value the scope could not read', error);
  }
}

export class Scope {
  tags: Record<string, string> = {};
  tagDrops: Record<string, TagDrop> = {};
  private hasTagDrops = false;
  extra: Record<string, unknown> = {};
  contexts: Record<string, Record<string, unknown>> = {};
  user: User | undefined;
  account: Account | undefined;
  breadcrumbs: Breadcrumb[] = [];
  level: Level | undefined;
  fingerprint: string[] | undefined;
  propagationContext: PropagationContext = { traceId: newTraceId(), spanId: newSpanId() };
  span: ScopeSpan | undefined;
  sdkData: Record<string, unknown> = {};
  lastEventId: string | undefined;
  /** Set by the client; a scope alone keeps seed 002's default of 50. */
  maxBreadcrumbs = DEFAULT_MAX_BREADCRUMBS;

  setTag(key: string, value: unknown): this {
    const text = validTagValue(key, value, this.tagDrops);
    if (text !== undefined) {
      this.tags[key] = text;
      // A valid value replaces an earlier invalid one: the drop no longer describes the scope.
      if (this.hasTagDrops) delete this.tagDrops[key];
    } else {
      this.hasTagDrops = true;
    }
    return this;
  }

  setTags(tags: Record<string, unknown>): this {
    guard(() => {
      if (tags && typeof tags === 'object') for (const key of Object.keys(tags)) this.setTag(key, tags[key]);
    });
    return this;
  }

  removeTag(key: string): this {
    delete this.tags[key];
    if (this.hasTagDrops) delete this.tagDrops[key];
    return this;
  }

  setExtra(key: string, value: unknown): this {
    this.extra[key] = value;
    return this;
  }

  setExtras(extras: Record<string, unknown>): this {
    guard(() => {
      if (extras && typeof extras === 'object') Object.assign(this.extra, extras);
    });
    return this;
  }

  /** `null` removes the context. */
  setContext(name: string, context: Record<string, unknown> | null): this {
    guard(() => {
      if (context === null || context === undefined) delete this.contexts[name];
      else if (typeof context === 'object') this.contexts[name] = { ...context };
    });
    return this;
  }

  setUser(user: User | null): this {
    guard(() => (this.user = user && typeof user === 'object' ? { ...user } : undefined));
    return this;
  }

  setAccount(account: Account | null): this {
    guard(() => (this.account = account && typeof account === 'object' ? { ...account } : undefined));
    return this;
  }

  setLevel(level: Level | undefined): this {
    this.level = level;
    return this;
  }

  setFingerprint(fingerprint: string[] | undefined): this {
    this.fingerprint = fingerprint ? [...fingerprint] : undefined;
    return this;
  }

  addBreadcrumb(breadcrumb: Breadcrumb, max = this.maxBreadcrumbs): this {
    if (max <= 0 || !breadcrumb || typeof breadcrumb !== 'object') return this;
    guard(() => {
      this.breadcrumbs.push({ timestamp: nowSeconds(), ...breadcrumb });
      if (this.breadcrumbs.length > max) this.breadcrumbs.splice(0, this.breadcrumbs.length - max);
    });
    return this;
  }

  clearBreadcrumbs(): this {
    this.breadcrumbs = [];
    return this;
  }

  setPropagationContext(context: PropagationContext): this {
    this.propagationContext = context;
    return this;
  }

  /** Starts a new trace for everything this scope covers (a request, a page, a navigation). */
  newTrace(): this {
    this.propagationContext = { traceId: newTraceId(), spanId: newSpanId() };
    return this;
  }

  setSpan(span: ScopeSpan | undefined): this {
    this.span = span;
    return this;
  }

  /** Applies a `captureException(error, { tags, extra, ... })` argument. */
  update(context: CaptureContext): this {
    if (!context || typeof context !== 'object') return this;
    guard(() => this.applyContext(context));
    return this;
  }

  private applyContext(context: CaptureContext): void {
    if (context.tags) this.setTags(context.tags);
    if (context.extra) this.setExtras(context.extra);
    if (context.contexts) for (const [name, value] of Object.entries(context.contexts)) this.setContext(name, value);
    if (context.user !== undefined) this.setUser(context.user);
    if (context.account !== undefined) this.setAccount(context.account);
    if (context.level) this.setLevel(context.level);
    if (context.fingerprint) this.setFingerprint(context.fingerprint);
  }

  clear(): this {
    this.tags = {};
    this.tagDrops = {};
    this.hasTagDrops = false;
    this.extra = {};
    this.contexts = {};
    this.user = undefined;
    this.account = undefined;
    this.breadcrumbs = [];
    this.level = undefined;
    this.fingerprint = undefined;
    this.span = undefined;
    this.sdkData = {};
    return this;
  }

  /** A copy whose changes do not reach this scope (objects are copied one level deep). */
  clone(): Scope {
    const copy = new Scope();
    copy.tags = { ...this.tags };
    copy.tagDrops = { ...this.tagDrops };
    copy.hasTagDrops = this.hasTagDrops;
    copy.extra = { ...this.extra };
    copy.contexts = { ...this.contexts };
    copy.user = this.user;
    copy.account = this.account;
    copy.breadcrumbs = [...this.breadcrumbs];
    copy.level = this.level;
    copy.fingerprint = this.fingerprint;
    copy.propagationContext = this.propagationContext;
    copy.span = this.span;
    copy.sdkData = { ...this.sdkData };
    copy.maxBreadcrumbs = this.maxBreadcrumbs;
    copy.lastEventId = this.lastEventId;
    return copy;
  }

  getScopeData(): ScopeData {
    return {
      tags: this.tags,
      tagDrops: this.tagDrops,
      extra: this.extra,
      contexts: this.contexts,
      user: this.user,
      account: this.account,
      breadcrumbs: this.breadcrumbs,
      level: this.level,
      fingerprint: this.fingerprint,
      propagationContext: this.propagationContext,
      span: this.span,
      sdkData: this.sdkData,
    };
  }
}

/**
 * Merges scopes, later ones winning: global -> isolation -> current. Breadcrumbs from all three are
 * combined in time order and cut to `maxBreadcrumbs`.
 */
export function mergeScopeData(scopes: [Scope, ...Scope[]], maxBreadcrumbs: number): ScopeData {
  const out: ScopeData = {
    tags: {},
    tagDrops: {},
    extra: {},
    contexts: {},
    user: undefined,
    account: undefined,
    breadcrumbs: [],
    level: undefined,
    fingerprint: undefined,
    // The trace belongs to the isolation scope (one per request or page), so scopes forked inside
    // it share it; an active span on any scope overrides it below.
    propagationContext: (scopes[1] ?? scopes[0])!.propagationContext,
    span: undefined,
    sdkData: {},
  };
  let crumbSources = 0;
  for (const scope of scopes) {
    Object.assign(out.tags, scope.tags);
    Object.assign(out.tagDrops, scope.tagDrops);
    Object.assign(out.extra, scope.extra);
    Object.assign(out.contexts, scope.contexts);
    Object.assign(out.sdkData, scope.sdkData);
    if (scope.user) out.user = { ...out.user, ...scope.user };
    if (scope.account) out.account = { ...out.account, ...scope.account };
    if (scope.level) out.level = scope.level;
    if (scope.fingerprint) out.fingerprint = scope.fingerprint;
    if (scope.span) out.span = scope.span;
    if (scope.breadcrumbs.length) {
      out.breadcrumbs = out.breadcrumbs.concat(scope.breadcrumbs);
      crumbSources++;
    }
  }
  if (crumbSources > 1) out.breadcrumbs.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  if (out.breadcrumbs.length > maxBreadcrumbs) out.breadcrumbs = out.breadcrumbs.slice(-maxBreadcrumbs);
  return out;
}
