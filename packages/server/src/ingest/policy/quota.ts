/**
 * Applies rate limits and spike protection to what a request carries. Error events and
 * transactions count (one each); an envelope whose every such item is refused, and nothing else,
 * is answered 429; otherwise the refused items are left out, the rest is kept, and the answer
 * carries X-Sentry-Rate-Limits so the SDK stops sending the limited categories for the window
 * (Sentry's format: `retry_after:categories:scope:reason_code`, categories joined by `;`).
 */
import type { Envelope } from '@proliferate/protocol';
import type { QuotaConfig } from '../../config.js';
import { HttpError } from '../../errors.js';
import type { IngestPolicy, RateLimit } from '../../store/ingest-policy-types.js';
import type { LimitDecision, Limiter, LimitOutcome } from './rate-limiter.js';

const COUNTED: Record<string, string> = { event: 'error', error: 'error', message: 'error', transaction: 'transaction' };
/** The categories a limit names: SDKs file events as `error` (older ones `default`), and transactions. */
const LIMITED_CATEGORIES = 'error;default;transaction';
/** Items that never need a 200 of their own: a request of only these after the cut is refused whole. */
const PASSENGERS = new Set(['client_report']);

export interface QuotaInput {
  limiter: Limiter;
  quotas: QuotaConfig;
  policy: IngestPolicy;
  projectId: number;
  key: string | undefined;
  /** Told of each refused item: (reason, category). */
  onLimited: (reason: string, category: string) => void;
}

const usable = (limit: RateLimit | null | undefined): RateLimit | null => (limit && limit.perMinute > 0 ? limit : null);

/** Runs `then` on the decision: at once for in-memory buckets, once a shared bucket answered otherwise. */
function after<T>(outcome: LimitOutcome, then: (decision: LimitDecision | null) => T): T | Promise<T> {
  return outcome instanceof Promise ? outcome.then(then) : then(outcome);
}

function decide(input: QuotaInput, count: number): LimitOutcome {
  const { policy, quotas } = input;
  const project = policy.rateLimit ? usable(policy.rateLimit) : usable(quotas.perMinute > 0 ? { perMinute: quotas.perMinute, burst: quotas.burst } : null);
  const key = input.key ? usable(policy.keyRateLimits[input.key]) : null;
  const spikeOn = policy.spikeProtection ?? quotas.spikeProtection;
  const spike = spikeOn ? { multiplier: quotas.spikeMultiplier, floor: quotas.spikeFloorPerMinute } : null;
  if (!project && !key && !spike) return null;
  return input.limiter.take(input.projectId, input.key, count, { project, key, spike });
}

export const rateLimitHeaders = (decision: LimitDecision) => ({
  'retry-after': String(decision.retryAfter),
  'x-sentry-rate-limits': `${decision.retryAfter}:${LIMITED_CATEGORIES}:${decision.scope}:${decision.reason}`,
});

const limitedError = (decision: LimitDecision) =>
  new HttpError(429, 'rate_limited', `The ${decision.scope}'s event rate limit is reached (${decision.reason}); retry after ${decision.retryAfter} s`, rateLimitHeaders(decision));

/** For the legacy store endpoint: one event, refused with 429 past a limit. */
export function checkOneEvent(input: QuotaInput): void | Promise<void> {
  return after(decide(input, 1), (decision) => {
    if (!decision) return;
    input.onLimited(decision.reason, 'error');
    throw limitedError(decision);
  });
}

/**
 * For OTLP: `count` items of one category (spans, logs), all refused with 429 past a limit (OTLP
 * exporters retry after Retry-After); `onLimited` is told once, with the category.
 */
export function checkItems(input: QuotaInput, count: number, category: string): void | Promise<void> {
  return after(decide(input, count), (decision) => {
    if (!decision) return;
    input.onLimited(decision.reason, category);
    throw new HttpError(429, 'rate_limited', `The ${decision.scope}'s rate limit is reached (${decision.reason}); retry after ${decision.retryAfter} s`, {
      'retry-after': String(decision.retryAfter),
    });
  });
}

/** Removes refused items from the envelope; returns the headers for the answer, or throws 429. */
export function applyEnvelopeQuota(envelope: Envelope, input: QuotaInput): Record<string, string> | null | Promise<Record<string, string> | null> {
  const counted = envelope.items.filter((item) => COUNTED[String(item.headers.type)] !== undefined);
  if (counted.length === 0) return null;
  return after(decide(input, counted.length), (decision) => {
    if (!decision) return null;
    for (const item of counted) input.onLimited(decision.reason, COUNTED[String(item.headers.type)]!);
    const rest = envelope.items.filter((item) => COUNTED[String(item.headers.type)] === undefined);
    // Client reports riding along were read before the quota (routes.ts): nothing else is left to keep.
    if (rest.every((item) => PASSENGERS.has(String(item.headers.type)))) throw limitedError(decision);
    envelope.items = rest;
    return rateLimitHeaders(decision);
  });
}
