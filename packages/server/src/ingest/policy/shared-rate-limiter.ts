/**
 * Rate limits held across server processes (PostgreSQL installs with several processes; see
 * docs/scaling.md). Each project's and key's token bucket lives in the database
 * (rate_limit_buckets); a process leases a few tokens at a time with one UPSERT that refills the
 * bucket and takes from it atomically, and spends them in memory: ingest does no round trip per
 * request. A process that finds the bucket short refuses without asking again until one more
 * token is due (the Retry-After it answers).
 *
 * Accuracy: every accepted event spent a token of the shared bucket, so N processes together accept
 * what one bucket allows, give or take the tokens leased but not yet spent: at most one lease per
 * process and bucket, half a second of the limit's rate and at most a quarter of its burst (5
 * events per process for 600 a minute with a burst of 60). An export larger than the burst is let
 * through on a full bucket and repaid from later leases. Spike protection stays per process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RateLimit, RateTokenRequest } from '../../store/ingest-policy-types.js';
import type { Store } from '../../store/types.js';
import { type LimitDecision, type LimitInput, type Limiter, type LimitOutcome, type LimitReason, RateLimiter } from './rate-limiter.js';

interface Lease {
  limit: RateLimit;
  /** Leased tokens not spent yet (negative while an export larger than the burst is repaid). */
  tokens: number;
  /** Until then (epoch ms) the shared bucket is known to be short: refused without asking. */
  refusedUntil: number;
  pending: Promise<void> | null;
}

interface Need {
  id: string;
  limit: RateLimit;
  reason: LimitReason;
  scope: 'project' | 'key';
}

/** Tokens asked for at once: half a second of the limit's rate, at most a quarter of the burst, at least one. */
export function leaseSize(limit: RateLimit): number {
  return Math.max(1, Math.min(Math.floor(limit.burst / 4), Math.ceil(limit.perMinute / 120)));
}

/** Warnings about an unreachable store, at most one a minute. */
const WARN_EVERY_MS = 60_000;

export class SharedRateLimiter implements Limiter {
  private readonly leases = new Map<string, Lease>();
  /** Spike protection compares a project with its own usual rate: learned per process. */
  private readonly spikes: RateLimiter;
  private warnedAt = 0;

  constructor(
    private readonly store: Pick<Store, 'leaseRateTokens'>,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.spikes = new RateLimiter(now);
  }

  take(projectId: number, key: string | undefined, count: number, limits: LimitInput): LimitOutcome {
    const needs: Need[] = [];
    if (limits.key && key) needs.push({ id: `k:${key}`, limit: limits.key, reason: 'key_quota', scope: 'key' });
    if (limits.project) needs.push({ id: `p:${projectId}`, limit: limits.project, reason: 'project_quota', scope: 'project' });
    const local = this.decide(needs, count, false);
    if (local !== undefined) return local ?? this.spend(needs, projectId, key, count, limits);
    return this.lease(needs, count).then(() => this.decide(needs, count, true) ?? this.spend(needs, projectId, key, count, limits));
  }

  private leaseOf(need: Need): Lease {
    let lease = this.leases.get(need.id);
    if (!lease || lease.limit.perMinute !== need.limit.perMinute || lease.limit.burst !== need.limit.burst) {
      lease = { limit: need.limit, tokens: 0, refusedUntil: 0, pending: lease?.pending ?? null };
      if (this.leases.size > 100_000) this.leases.clear();
      this.leases.set(need.id, lease);
    }
    return lease;
  }

  /**
   * null: every bucket has the tokens here; a decision: refused; undefined: the store must be asked
   * (never when `final`: after asking, what is still missing is refused).
   */
  private decide(needs: Need[], count: number, final: boolean): LimitDecision | null | undefined {
    const now = this.now();
    let ask = false;
    for (const need of needs) {
      const lease = this.leaseOf(need);
      if (lease.tokens >= Math.min(count, need.limit.burst)) continue;
      if (final || lease.refusedUntil > now) {
        return { reason: need.reason, scope: need.scope, retryAfter: Math.max(1, Math.ceil((lease.refusedUntil - now) / 1000)) };
      }
      ask = true;
    }
    return ask ? undefined : null;
  }

  /** Spends the tokens, then applies spike protection (which gives them back if it refuses). */
  private spend(needs: Need[], projectId: number, key: string | undefined, count: number, limits: LimitInput): LimitDecision | null {
    for (const need of needs) this.leaseOf(need).tokens -= count;
    if (!limits.spike) return null;
    const spike = this.spikes.take(projectId, key, count, { project: null, key: null, spike: limits.spike });
    if (spike) for (const need of needs) this.leaseOf(need).tokens += count;
    return spike;
  }

  /** Leases tokens for the buckets short of `count`; a lease already under way for one is waited for instead. */
  private async lease(needs: Need[], count: number): Promise<void> {
    const short = (need: Need) => {
      const lease = this.leaseOf(need);
      return lease.tokens < Math.min(count, need.limit.burst) && lease.refusedUntil <= this.now();
    };
    const waiting = needs.map((need) => this.leaseOf(need).pending).filter((p): p is Promise<void> => p !== null);
    if (waiting.length) await Promise.all(waiting);
    const asking = needs.filter(short);
    if (asking.length === 0) return;
    const wants = new Map<string, number>();
    const requests: RateTokenRequest[] = asking.map((need) => {
      const lease = this.leaseOf(need);
      const want = Math.min(Math.ceil(Math.max(Math.min(count, need.limit.burst) - lease.tokens, leaseSize(need.limit))), need.limit.burst);
      wants.set(need.id, want);
      return { scope: need.id, perMinute: need.limit.perMinute, burst: need.limit.burst, want };
    });
    const pending = this.store.leaseRateTokens(requests).then(
      (grants) => {
        const now = this.now();
        for (const need of asking) {
          const grant = grants.find((g) => g.scope === need.id);
          const lease = this.leaseOf(need);
          if (!grant) continue;
          lease.tokens += grant.granted;
          const want = wants.get(need.id)!;
          if (grant.granted < want) {
            // The bucket is short: what was granted is spent, then nothing is asked until a whole
            // lease has refilled. Without this, a project sending past its limit cost a statement
            // per accepted event (21 statements for 225 events in the test, not 5).
            const perMs = need.limit.perMinute / 60_000;
            const missing = Math.max(Math.min(count, need.limit.burst) - lease.tokens, leaseSize(need.limit)) - grant.tokens;
            lease.refusedUntil = now + (perMs > 0 ? Math.ceil(Math.max(0, missing) / perMs) : 60_000);
          }
        }
      },
      (error: unknown) => {
        // The database is out of reach: ingest is not refused for it (its writes will say so).
        const now = this.now();
        if (now - this.warnedAt > WARN_EVERY_MS) {
          this.warnedAt = now;
          this.log.warn({ err: error }, 'shared rate limits could not be read; this process admits on its own until they can');
        }
        for (const need of asking) this.leaseOf(need).tokens += Math.min(count, need.limit.burst);
      },
    );
    for (const need of asking) this.leaseOf(need).pending = pending;
    try {
      await pending;
    } finally {
      for (const need of asking) if (this.leaseOf(need).pending === pending) this.leaseOf(need).pending = null;
    }
  }
}
