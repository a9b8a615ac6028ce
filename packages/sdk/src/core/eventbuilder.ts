/**
 * Turns whatever was thrown into an event. Errors keep their `cause` chain, oldest first on the
 * wire (the server groups on the last value, the one captured). Non-errors become an exception of
 * type `Error` with a readable value, since `throw "text"` and rejected objects happen.
 */
import { safeString } from './debug.js';
import { normalize } from './scrub.js';
import { parseStack } from './stack.js';
import type { Event, ExceptionValue, Level, Mechanism } from './types.js';

const MAX_CAUSES = 5;

function isError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Error]' || tag === '[object DOMException]' || tag === '[object Exception]';
}

function errorType(error: Error): string {
  const name = error.name || error.constructor?.name;
  return typeof name === 'string' && name ? name : 'Error';
}

function describeNonError(value: unknown): { type: string; value: string } {
  if (typeof value === 'string') return { type: 'Error', value };
  if (value && typeof value === 'object') {
    // a rejected Event from a browser (e.g. an <img> onerror) or a plain object
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string' && message) return { type: name && name !== 'Object' ? name : 'Error', value: message };
    const keys = Object.keys(value).slice(0, 10).join(', ');
    return { type: 'Error', value: `${name || 'Object'} captured as exception with keys: ${keys || '(none)'}` };
  }
  return { type: 'Error', value: safeString(value) };
}

function fromError(error: Error, mechanism: Mechanism | undefined): ExceptionValue {
  let value = '';
  try {
    value = typeof error.message === 'string' ? error.message : safeString(error.message);
  } catch {
    value = '[unreadable message]';
  }
  const exception: ExceptionValue = { type: errorType(error), value };
  let stack: string | undefined;
  try {
    stack = error.stack;
  } catch {
    stack = undefined;
  }
  const frames = parseStack(stack);
  if (frames.length) exception.stacktrace = { frames };
  if (mechanism) exception.mechanism = mechanism;
  return exception;
}

export function exceptionsFrom(thrown: unknown, mechanism?: Mechanism): ExceptionValue[] {
  if (!isError(thrown)) {
    const described = describeNonError(thrown);
    return [{ ...described, ...(mechanism ? { mechanism } : {}) }];
  }
  const values: ExceptionValue[] = [fromError(thrown, mechanism)];
  const seen = new Set<unknown>([thrown]);
  let cause: unknown = (thrown as { cause?: unknown }).cause;
  while (isError(cause) && !seen.has(cause) && values.length <= MAX_CAUSES) {
    seen.add(cause);
    values.push(fromError(cause, mechanism ? { type: 'chained', handled: mechanism.handled } : undefined));
    cause = (cause as { cause?: unknown }).cause;
  }
  // The wire order is oldest first: the root cause first, the captured error last.
  return values.reverse();
}

export function eventFromException(thrown: unknown, mechanism?: Mechanism): Event {
  const event: Event = { level: 'error', exception: { values: exceptionsFrom(thrown, mechanism) } };
  if (!isError(thrown) && thrown && typeof thrown === 'object') {
    event.extra = { __serialized__: normalize(thrown, null, 3) };
  }
  return event;
}

export function eventFromMessage(message: string, level: Level = 'info'): Event {
  return { level, message: safeString(message) };
}
