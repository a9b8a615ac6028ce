/**
 * The SDK's own diagnostics. Silent unless `debug: true`, so the SDK stays invisible in production;
 * `warnOnce` is for mistakes the developer should hear about even then (a tag that looks secret).
 */

let enabled = false;
const warned = new Set<string>();
const PREFIX = '[proliferate]';

export function setDebug(on: boolean): void {
  enabled = on;
}

export function isDebug(): boolean {
  return enabled;
}

function write(method: 'log' | 'warn' | 'error', args: unknown[]): void {
  // The console may be wrapped by our own breadcrumb integration; the original is kept on it.
  const target = (globalThis.console as unknown as Record<string, unknown>) ?? {};
  const original = (target as { __proliferate_original__?: Record<string, (...a: unknown[]) => void> })
    .__proliferate_original__;
  const fn = (original?.[method] ?? target[method]) as ((...a: unknown[]) => void) | undefined;
  try {
    fn?.call(globalThis.console, PREFIX, ...args);
  } catch {
    // a broken console must not break the host application
  }
}

export const debug = {
  log(...args: unknown[]): void {
    if (enabled) write('log', args);
  },
  warn(...args: unknown[]): void {
    if (enabled) write('warn', args);
  },
  error(...args: unknown[]): void {
    if (enabled) write('error', args);
  },
};

/** Warns once per key, whether or not debug output is on. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  if (warned.size > 1000) return; // bounded: a loop of distinct keys must not grow memory
  warned.add(key);
  write('warn', [message]);
}

/** String(value) that cannot throw (null-prototype objects, throwing toString, Symbols in templates). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[unprintable]';
    }
  }
}
