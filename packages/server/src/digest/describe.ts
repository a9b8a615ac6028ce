import type { NormalizedEvent } from './normalize.js';

/** Sentry lists chained exceptions oldest first: the captured one is last. */
const capturedException = (event: NormalizedEvent) => event.exception?.values[event.exception.values.length - 1];

const firstLine = (value: string) => value.split('\n', 1)[0]!.trim();
const cut = (value: string, max: number) => (value.length > max ? value.slice(0, max - 1) + '…' : value);

export type EventKind = 'error' | 'message' | 'default';

export function eventKind(event: NormalizedEvent): EventKind {
  if (capturedException(event)?.type) return 'error';
  if (event.message || event.exception) return 'message';
  return 'default';
}

/** `TypeError: Cannot read properties of undefined`, or the message's first line. */
export function eventTitle(event: NormalizedEvent): string {
  const exception = capturedException(event);
  if (exception?.type) {
    const value = exception.value ? firstLine(exception.value) : '';
    return cut(value ? `${exception.type}: ${value}` : exception.type, 200);
  }
  const message = event.message ?? exception?.value;
  return message ? cut(firstLine(message) || message.trim(), 200) : '<unlabeled event>';
}

/**
 * Where it happened: the transaction (route) when the SDK names one, otherwise the frame nearest
 * the throw that belongs to the application, as `function (file)`.
 */
export function eventCulprit(event: NormalizedEvent): string {
  if (event.transaction) return cut(event.transaction, 200);
  const frames = capturedException(event)?.stacktrace?.frames ?? [];
  const frame = [...frames].reverse().find((f) => f.in_app === true) ?? frames[frames.length - 1];
  if (!frame) return '';
  const file = (frame.filename ?? frame.module ?? frame.abs_path ?? '?') as string;
  return cut(`${(frame.function as string | undefined) ?? '?'} (${file})`, 200);
}
