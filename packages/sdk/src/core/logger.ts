/**
 * `logger.info(message, attributes)` and friends: structured logs sent as `log` items, batched,
 * each carrying the trace id (seed 001: logs are correlated with errors by trace id). Sent only with
 * `enableLogs: true`; each log becomes a breadcrumb either way (seed 002: breadcrumbs from logs).
 */
import type { Client } from './client.js';
import type { LogRecord } from './envelope.js';
import { logEnvelope } from './envelope.js';
import { safeString } from './debug.js';
import { nowSeconds } from './ids.js';
import { getCarrierClient, getScopes } from './scopes.js';
import type { Level } from './types.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const SEVERITY: Record<LogLevel, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
const BREADCRUMB_LEVEL: Record<LogLevel, Level> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error', fatal: 'fatal' };
const MAX_BATCH = 100;
const FLUSH_DELAY_MS = 1000;

let buffer: LogRecord[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

function attribute(value: unknown): { value: unknown; type: string } {
  switch (typeof value) {
    case 'string':
      return { value, type: 'string' };
    case 'boolean':
      return { value, type: 'boolean' };
    case 'number':
      return Number.isInteger(value) ? { value, type: 'integer' } : { value, type: 'double' };
    default: {
      let text: string;
      try {
        text = JSON.stringify(value) ?? safeString(value);
      } catch {
        text = safeString(value);
      }
      return { value: text, type: 'string' };
    }
  }
}

/** Sends the buffered logs now. */
export function flushLogs(client = getCarrierClient<Client>()): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (!buffer.length || !client) {
    buffer = [];
    return;
  }
  const records = buffer;
  buffer = [];
  // One envelope per trace, with the trace in its header, so the server can index logs by trace
  // id without reading every record (seed 001: logs around an error, by trace id).
  const byTrace = new Map<string, LogRecord[]>();
  for (const record of records) {
    const group = byTrace.get(record.trace_id);
    if (group) group.push(record);
    else byTrace.set(record.trace_id, [record]);
  }
  for (const [traceId, group] of byTrace) client.sendEnvelope(logEnvelope(group, client.target?.dsn, traceId));
}

function log(level: LogLevel, message: string, attributes?: Record<string, unknown>): void {
  try {
    const client = getCarrierClient<Client>();
    if (!client) return;
    client.addBreadcrumb({ category: 'log', level: BREADCRUMB_LEVEL[level], message: safeString(message), ...(attributes ? { data: attributes } : {}) });
    if (!client.options.enableLogs) return;
    const scopes = getScopes();
    const span = scopes.scope.span;
    const traceId = span?.traceId ?? scopes.isolationScope.propagationContext.traceId;
    const attrs: LogRecord['attributes'] = {};
    const data = attributes ? (client.scrub({ extra: attributes }).extra ?? {}) : {};
    for (const [key, value] of Object.entries(data)) attrs[key] = attribute(value);
    attrs['sentry.environment'] = attribute(client.options.environment);
    if (client.options.release) attrs['sentry.release'] = attribute(client.options.release);
    attrs['session.id'] = attribute(client.platform.sessionId());
    const windowId = client.platform.windowId?.();
    if (windowId) attrs['window.id'] = attribute(windowId);
    buffer.push({
      timestamp: nowSeconds(),
      level,
      body: safeString(message),
      trace_id: traceId,
      ...(span ? { span_id: span.spanId } : {}),
      severity_number: SEVERITY[level],
      attributes: attrs,
    });
    if (buffer.length >= MAX_BATCH) flushLogs(client);
    else if (timer === undefined) {
      timer = setTimeout(() => flushLogs(), FLUSH_DELAY_MS);
      (timer as { unref?: () => void }).unref?.();
    }
  } catch {
    // logging must never throw into the application
  }
}

export const logger = {
  trace: (message: string, attributes?: Record<string, unknown>) => log('trace', message, attributes),
  debug: (message: string, attributes?: Record<string, unknown>) => log('debug', message, attributes),
  info: (message: string, attributes?: Record<string, unknown>) => log('info', message, attributes),
  warn: (message: string, attributes?: Record<string, unknown>) => log('warn', message, attributes),
  error: (message: string, attributes?: Record<string, unknown>) => log('error', message, attributes),
  fatal: (message: string, attributes?: Record<string, unknown>) => log('fatal', message, attributes),
};
