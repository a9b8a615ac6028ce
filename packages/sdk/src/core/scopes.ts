/**
 * Where the isolation and current scopes live. The global scope is a process singleton; the other
 * two come from a pluggable strategy: a simple stack by default (browsers, one flow of control),
 * AsyncLocalStorage in Node so concurrent requests never see each other's tags.
 */
import { Scope } from './scope.js';

export interface ScopePair {
  scope: Scope;
  isolationScope: Scope;
}

export interface AsyncContextStrategy {
  getScopes(): ScopePair;
  /** Runs `callback` with these scopes active; they stay active for its async continuations. */
  runWith<T>(scopes: ScopePair, callback: () => T): T;
}

// Shared through globalThis so two copies of the SDK in one bundle (ESM + CJS) agree on scopes.
interface Carrier {
  client?: unknown;
  globalScope?: Scope;
  strategy?: AsyncContextStrategy;
  defaultScopes?: ScopePair;
}
const CARRIER_KEY = '__proliferate_carrier__';

function carrier(): Carrier {
  const holder = globalThis as unknown as Record<string, Carrier | undefined>;
  return (holder[CARRIER_KEY] ??= {});
}

function defaultScopes(): ScopePair {
  const c = carrier();
  return (c.defaultScopes ??= { scope: new Scope(), isolationScope: new Scope() });
}

/** The stack strategy: scopes stay active until the callback (or the promise it returns) settles. */
function stackStrategy(): AsyncContextStrategy {
  let active: ScopePair | undefined;
  return {
    getScopes: () => active ?? defaultScopes(),
    runWith<T>(scopes: ScopePair, callback: () => T): T {
      const previous = active;
      active = scopes;
      let result: unknown;
      try {
        result = callback();
      } catch (error) {
        active = previous;
        throw error;
      }
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        return (result as Promise<unknown>).then(
          (value) => {
            active = previous;
            return value;
          },
          (error: unknown) => {
            active = previous;
            throw error;
          },
        ) as T;
      }
      active = previous;
      return result as T;
    },
  };
}

export function setAsyncContextStrategy(strategy: AsyncContextStrategy | undefined): void {
  carrier().strategy = strategy;
}

function strategy(): AsyncContextStrategy {
  const c = carrier();
  return (c.strategy ??= stackStrategy());
}

/** Scopes for code running outside any request or `withScope` (start-up code, timers, pages). */
export function getDefaultScopes(): ScopePair {
  return defaultScopes();
}

export function getGlobalScope(): Scope {
  return (carrier().globalScope ??= new Scope());
}

export function getIsolationScope(): Scope {
  return strategy().getScopes().isolationScope;
}

export function getCurrentScope(): Scope {
  return strategy().getScopes().scope;
}

/** Runs `callback` with a copy of the current scope; changes to it end with the callback. */
export function withScope<T>(callback: (scope: Scope) => T): T {
  const { scope, isolationScope } = strategy().getScopes();
  const forked = scope.clone();
  return strategy().runWith({ scope: forked, isolationScope }, () => callback(forked));
}

/**
 * Runs `callback` with copies of the isolation and current scopes, the way request helpers isolate
 * one request from the next.
 */
export function withIsolationScope<T>(callback: (isolationScope: Scope) => T): T {
  const { scope, isolationScope } = strategy().getScopes();
  const forked = { scope: scope.clone(), isolationScope: isolationScope.clone() };
  return strategy().runWith(forked, () => callback(forked.isolationScope));
}

/** Runs `callback` with exactly these scopes (used to re-enter a request's scopes later). */
export function withScopes<T>(scopes: ScopePair, callback: () => T): T {
  return strategy().runWith(scopes, callback);
}

export function getScopes(): ScopePair {
  return strategy().getScopes();
}

/** The client `init` installed; typed loosely here so scopes do not depend on the client. */
export function getCarrierClient<T>(): T | undefined {
  return carrier().client as T | undefined;
}

export function setCarrierClient(client: unknown): void {
  carrier().client = client;
}
