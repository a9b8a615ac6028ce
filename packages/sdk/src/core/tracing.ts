/**
 * Spans (seed 002 "Span Data") and trace tags (seed 004). A root span goes out as a Sentry
 * `transaction` item when it ends, with its child spans; its trace id is the one errors in the same
 * request or page carry, so the server can correlate them.
 */
import { debug } from './debug.js';
import { newSpanId, nowSeconds } from './ids.js';
import { getCarrierClient, getScopes, withScope } from './scopes.js';
import { validTagValue } from './tags.js';
import type { Client } from './client.js';
import type { ScopePair } from './scopes.js';
import type { Event } from './types.js';

export type SpanStatus = 'ok' | 'internal_error' | 'cancelled' | 'deadline_exceeded' | 'unknown_error' | string;

export interface StartSpanOptions {
  name: string;
  op?: string;
  /** Initial span data (`span.setData` for each). */
  data?: Record<string, unknown>;
  attributes?: Record<string, unknown>;
}

export class Span {
  readonly traceId: string;
  readonly spanId = newSpanId();
  readonly parentSpanId: string | undefined;
  readonly root: Span;
  readonly startTimestamp = nowSeconds();
  endTimestamp: number | undefined;
  name: string;
  op: string | undefined;
  status: SpanStatus = 'ok';
  data: Record<string, unknown> = {};
  /** Trace tags (seed 004); only the root span's are sent, on the transaction. */
  tags: Record<string, string> = {};
  metadata: Record<string, unknown> = {};
  readonly sampled: boolean;
  private readonly finished: Span[] = [];
  private readonly scopes: ScopePair | undefined;

  constructor(options: StartSpanOptions, parent: Span | undefined, traceId: string, sampled: boolean, scopes?: ScopePair) {
    this.name = options.name;
    this.op = options.op;
    this.parentSpanId = parent?.spanId;
    this.root = parent ? parent.root : this;
    this.traceId = traceId;
    this.sampled = sampled;
    this.scopes = scopes;
    if (options.data) this.setAttributes(options.data);
    if (options.attributes) this.setAttributes(options.attributes);
  }

  setData(key: string, value: unknown): this {
    this.data[key] = value;
    return this;
  }

  setAttribute(key: string, value: unknown): this {
    return this.setData(key, value);
  }

  setAttributes(values: Record<string, unknown>): this {
    Object.assign(this.data, values);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }

  setTag(key: string, value: unknown): this {
    const text = validTagValue(key, value);
    if (text !== undefined) this.tags[key] = text;
    return this;
  }

  updateName(name: string): this {
    this.name = name;
    return this;
  }

  isRecording(): boolean {
    return this.endTimestamp === undefined;
  }

  end(timestamp = nowSeconds()): void {
    if (this.endTimestamp !== undefined) return;
    this.endTimestamp = timestamp;
    if (this.root !== this) {
      this.root.finished.push(this);
      return;
    }
    if (!this.sampled) return;
    const client = getCarrierClient<Client>();
    client?.captureEvent(this.toTransaction(), {}, this.scopes ?? getScopes());
  }

  toJSON(): Record<string, unknown> {
    return {
      trace_id: this.traceId,
      span_id: this.spanId,
      parent_span_id: this.parentSpanId,
      op: this.op,
      description: this.name,
      status: this.status,
      start_timestamp: this.startTimestamp,
      timestamp: this.endTimestamp,
      data: this.data,
    };
  }

  toTransaction(): Event {
    const event: Event = {
      type: 'transaction',
      transaction: this.name,
      start_timestamp: this.startTimestamp,
      timestamp: this.endTimestamp ?? nowSeconds(),
      tags: { ...this.tags },
      contexts: {
        trace: {
          trace_id: this.traceId,
          span_id: this.spanId,
          ...(this.parentSpanId ? { parent_span_id: this.parentSpanId } : {}),
          op: this.op,
          status: this.status,
          data: this.data,
        },
      },
      spans: this.finished.map((span) => span.toJSON()),
    };
    if (Object.keys(this.metadata).length) event.contexts!.metadata = { ...this.metadata };
    return event;
  }
}

export function getActiveSpan(): Span | undefined {
  const span = getScopes().scope.span;
  return span instanceof Span ? span : undefined;
}

function createSpan(options: StartSpanOptions): Span {
  const scopes = getScopes();
  const parent = getActiveSpan();
  if (parent) return new Span(options, parent, parent.traceId, parent.sampled);
  const client = getCarrierClient<Client>();
  const rate = client?.options.tracesSampleRate ?? 0; // unset: spans run, nothing is sent
  const traceId = scopes.isolationScope.propagationContext.traceId;
  return new Span(options, undefined, traceId, client !== undefined && Math.random() < rate, scopes);
}

/**
 * Runs `callback` inside a new span (a child of the active one, else a root span) and ends it when
 * the callback returns or its promise settles; a throw marks the span `internal_error`.
 */
export function startSpan<T>(options: StartSpanOptions, callback: (span: Span) => T): T {
  let span: Span;
  try {
    span = createSpan(typeof options === 'string' ? { name: options } : options);
  } catch (error) {
    debug.error('could not start a span', error);
    return callback(undefined as unknown as Span);
  }
  return withScope((scope) => {
    scope.setSpan(span);
    let result: T;
    try {
      result = callback(span);
    } catch (error) {
      span.setStatus('internal_error').end();
      throw error;
    }
    if (result && typeof (result as unknown as PromiseLike<unknown>).then === 'function') {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          span.setStatus('internal_error').end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

/** Wraps a function so every call runs in a span named after it (seed 004's `@trace`). */
export function trace<A extends unknown[], R>(fn: (...args: A) => R, options: Partial<StartSpanOptions> = {}): (...args: A) => R {
  const name = options.name ?? (fn.name || 'anonymous');
  return function traced(this: unknown, ...args: A): R {
    return startSpan({ op: 'function', ...options, name }, () => fn.apply(this, args));
  };
}

/** Sets tags (and metadata) on the trace running now (seed 004 `update_current_trace`). */
export function updateCurrentTrace(update: { tags?: Record<string, unknown>; metadata?: Record<string, unknown> }): void {
  const span = getActiveSpan();
  if (!span) {
    debug.warn('updateCurrentTrace called outside a span; nothing to update');
    return;
  }
  const root = span.root;
  if (update.tags) for (const [key, value] of Object.entries(update.tags)) root.setTag(key, value);
  if (update.metadata) Object.assign(root.metadata, update.metadata);
}
