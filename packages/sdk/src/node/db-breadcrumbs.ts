/**
 * Database breadcrumbs (seed 002): each statement run through `pg` and `better-sqlite3`, when the
 * application has them, as `{type: 'query', category: 'query', message: <SQL>, data: {'db.system'}}`.
 * Only the SQL text is kept (whitespace collapsed, cut to 1,000 characters): parameters often hold
 * personal data, and the statement with its placeholders is what explains a failure.
 *
 * Neither module publishes diagnostics_channel events, so their prototypes are wrapped. Both are
 * CommonJS, and an ESM `import` of them shares the CommonJS module cache, so patching the copy that
 * `require` resolves from the application's directory covers both; `modules` passes them
 * explicitly when they live elsewhere (a bundle, a workspace package).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { debug, getIsolationScope, type Client, type Integration, type Level, type Scope } from '../core/index.js';

const MAX_SQL = 1000;
const PATCHED = Symbol.for('proliferate.dbBreadcrumbs');

export interface DbBreadcrumbsOptions {
  /** The modules to instrument, when `require` from the working directory would not find the application's copy. */
  modules?: { pg?: unknown; betterSqlite3?: unknown };
}

function sqlText(query: unknown): string | undefined {
  const text = typeof query === 'string' ? query : query && typeof query === 'object' && typeof (query as { text?: unknown }).text === 'string' ? (query as { text: string }).text : undefined;
  if (text === undefined) return undefined;
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > MAX_SQL ? `${collapsed.slice(0, MAX_SQL - 1)}…` : collapsed;
}

function tryRequire(name: string): unknown {
  for (const base of [process.cwd(), process.argv[1] ? join(process.argv[1], '..') : undefined]) {
    if (!base) continue;
    try {
      return createRequire(join(base, 'noop.js'))(name);
    } catch {
      // not installed there
    }
  }
  return undefined;
}

export function dbBreadcrumbsIntegration(options: DbBreadcrumbsOptions = {}): Integration {
  return {
    name: 'DbBreadcrumbs',
    setup(client: Client) {
      const record = (system: string, query: unknown, failed: boolean, scope?: Scope) => {
        try {
          const message = sqlText(query);
          if (message === undefined) return;
          const level: Level = failed ? 'error' : 'info';
          client.addBreadcrumb({ type: 'query', category: 'query', level, message, data: { 'db.system': system } }, undefined, scope);
        } catch {
          // a breadcrumb must never break the application's query
        }
      };
      current = record;
      const pg = options.modules?.pg ?? tryRequire('pg');
      if (pg) patchPg(pg);
      const sqlite = options.modules?.betterSqlite3 ?? tryRequire('better-sqlite3');
      if (sqlite) patchBetterSqlite3(sqlite);
    },
  };
}

// The prototypes are patched once per process; init() again replaces the client they report to.
let current: ((system: string, query: unknown, failed: boolean, scope?: Scope) => void) | undefined;

function patchPg(pg: unknown): void {
  const Client = (pg as { Client?: { prototype: Record<string | symbol, unknown> } }).Client;
  const proto = Client?.prototype;
  if (!proto || typeof proto.query !== 'function' || proto[PATCHED]) return;
  const original = proto.query as (...args: unknown[]) => unknown;
  proto[PATCHED] = true;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const query = args[0];
    // pg settles queries from its socket's callbacks, outside the caller's async context: the
    // breadcrumb goes to the isolation scope (request) that made the query.
    const scope = getIsolationScope();
    const callbackAt = args.findIndex((a) => typeof a === 'function');
    if (callbackAt > 0) {
      const callback = args[callbackAt] as (error: unknown, ...rest: unknown[]) => unknown;
      args[callbackAt] = function (this: unknown, error: unknown, ...rest: unknown[]) {
        current?.('postgresql', query, Boolean(error), scope);
        return callback.call(this, error, ...rest);
      };
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      current?.('postgresql', query, true, scope);
      throw error;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => current?.('postgresql', query, false, scope),
        () => current?.('postgresql', query, true, scope),
      );
    } else if (result && typeof (result as { on?: unknown }).on === 'function') {
      // a Submittable (pg-cursor, pg-query-stream): it reports on its own events
      const emitter = result as { once(event: string, fn: () => void): void };
      emitter.once('end', () => current?.('postgresql', query, false, scope));
      emitter.once('error', () => current?.('postgresql', query, true, scope));
    }
    return result;
  };
  debug.log('database breadcrumbs: pg instrumented');
}

function patchBetterSqlite3(module: unknown): void {
  const Database = module as { prototype?: Record<string | symbol, unknown> };
  const proto = Database.prototype;
  if (!proto || typeof proto.prepare !== 'function' || proto[PATCHED]) return;
  proto[PATCHED] = true;
  const prepare = proto.prepare as (this: unknown, source: string) => object;
  const exec = proto.exec as (this: unknown, source: string) => unknown;
  proto.prepare = function (this: unknown, source: string) {
    let statement: object;
    try {
      statement = prepare.call(this, source);
    } catch (error) {
      current?.('sqlite', source, true); // a statement that does not compile (unknown table, syntax)
      throw error;
    }
    // The Statement class is native and not exported: wrap its prototype on the first prepare.
    patchStatement(Object.getPrototypeOf(statement) as Record<string | symbol, unknown>);
    return statement;
  };
  proto.exec = function (this: unknown, source: string) {
    return run(() => exec.call(this, source), source);
  };
  debug.log('database breadcrumbs: better-sqlite3 instrumented');
}

function run<T>(call: () => T, source: unknown): T {
  let result: T;
  try {
    result = call();
  } catch (error) {
    current?.('sqlite', source, true);
    throw error;
  }
  current?.('sqlite', source, false);
  return result;
}

function patchStatement(proto: Record<string | symbol, unknown>): void {
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = proto[method];
    if (typeof original !== 'function') continue;
    proto[method] = function (this: { source?: string }, ...args: unknown[]) {
      return run(() => (original as (...a: unknown[]) => unknown).apply(this, args), this.source);
    };
  }
}
