/** Node's scope strategy: AsyncLocalStorage, so each request's scopes follow its async work. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getDefaultScopes, setAsyncContextStrategy, type AsyncContextStrategy, type ScopePair } from '../core/index.js';

let storage: AsyncLocalStorage<ScopePair> | undefined;

export function asyncLocalStorageStrategy(): AsyncContextStrategy {
  storage ??= new AsyncLocalStorage<ScopePair>();
  const als = storage;
  return {
    getScopes: () => als.getStore() ?? getDefaultScopes(),
    runWith: (scopes, callback) => als.run(scopes, callback),
  };
}

export function installAsyncLocalStorage(): void {
  setAsyncContextStrategy(asyncLocalStorageStrategy());
}
