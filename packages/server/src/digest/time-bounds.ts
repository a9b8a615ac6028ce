/**
 * The times the server stores: an event, span or log time is plausible from 2000-01-01 until one
 * hour after the server received it. Anything else (a wrong client clock, or a hostile 1e300, which
 * no Date can even represent) is replaced by the receive time and the original recorded as a note,
 * the way Sentry's Relay answers clock drift, so a stored time always formats as a date and sorts.
 */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
export const CLOCK_DRIFT_MS = 60 * 60 * 1000;

export function isPlausibleMs(ms: number, receivedMs: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= receivedMs + CLOCK_DRIFT_MS;
}

/** An ISO date when the value is one, else the number as text: never throws. */
export function describeMs(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}
