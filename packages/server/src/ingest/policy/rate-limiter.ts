import type { RateLimit } from '../../store/ingest-policy-types.js';

/** Why an event was refused: the `reason_code` of X-Sentry-Rate-Limits and the outcome's reason. */
export type LimitReason = 'project_quota' | 'key_quota' | 'spike_protection';

export interface LimitDecision {
  reason: LimitReason;
  /** Seconds until one event fits again. */
  retryAfter: number;
  scope: 'project' | 'key';
}

/** The limits that apply to one request (quota.ts). */
export interface LimitInput {
  project: RateLimit | null;
  key: RateLimit | null;
  spike: { multiplier: number; floor: number } | null;
}

/** A decision now (in-memory buckets), or once a shared bucket answered (shared-rate-limiter.ts). */
export type LimitOutcome = LimitDecision | null | Promise<LimitDecision | null>;

export interface Limiter {
  /** Takes `count` events from every limit that applies, or none and says which refused. */
  take(projectId: number, key: string | undefined, count: number, limits: LimitInput): LimitOutcome;
}

interface Bucket {
  tokens: number;
  at: number;
  perMinute: number;
  burst: number;
}

/** How fast spike protection learns a project's usual rate: a minute weighs 1/30 (about half an hour of memory). */
const SPIKE_WEIGHT = 1 / 30;

/**
 * Token buckets per project and per key, in this process's memory (a SQLite install's one process;
 * several PostgreSQL processes share theirs: shared-rate-limiter.ts), and spike protection: a minute may hold `multiplier` times the
 * project's usual per-minute rate (an exponential average of past minutes), never less than `floor`.
 */
export class RateLimiter implements Limiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly spikes = new Map<number, { minute: number; count: number; usual: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes `count` events from every limit that applies, or none and says which refused. */
  take(projectId: number, key: string | undefined, count: number, limits: LimitInput): LimitDecision | null {
    const now = this.now();
    const project = limits.project ? this.bucket(`p:${projectId}`, limits.project, now) : null;
    const keyed = limits.key && key ? this.bucket(`k:${key}`, limits.key, now) : null;
    // A request of more items than the burst (an OTLP export of many traces) goes through when the
    // bucket is full and leaves it in debt, repaid at the limit's rate; it is never refused forever.
    if (keyed && keyed.tokens < Math.min(count, keyed.burst)) return { reason: 'key_quota', retryAfter: retryAfter(keyed, count), scope: 'key' };
    if (project && project.tokens < Math.min(count, project.burst)) return { reason: 'project_quota', retryAfter: retryAfter(project, count), scope: 'project' };
    if (limits.spike) {
      const spike = this.spikeState(projectId, now);
      const allowed = Math.max(limits.spike.floor, limits.spike.multiplier * spike.usual);
      if (spike.count + count > allowed) return { reason: 'spike_protection', retryAfter: Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000)), scope: 'project' };
      spike.count += count;
    }
    if (keyed) keyed.tokens -= count;
    if (project) project.tokens -= count;
    return null;
  }

  private bucket(id: string, limit: RateLimit, now: number): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.perMinute !== limit.perMinute || bucket.burst !== limit.burst) {
      bucket = { tokens: limit.burst, at: now, perMinute: limit.perMinute, burst: limit.burst };
      this.buckets.set(id, bucket);
    }
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.at) * bucket.perMinute) / 60_000);
    bucket.at = now;
    return bucket;
  }

  private spikeState(projectId: number, now: number) {
    const minute = Math.floor(now / 60_000);
    let state = this.spikes.get(projectId);
    if (!state) {
      state = { minute, count: 0, usual: 0 };
      this.spikes.set(projectId, state);
    }
    // Minutes that passed fold into the usual rate (empty ones count as zero).
    for (let m = state.minute; m < minute && m < state.minute + 120; m++) {
      state.usual = state.usual * (1 - SPIKE_WEIGHT) + (m === state.minute ? state.count : 0) * SPIKE_WEIGHT;
    }
    if (minute !== state.minute) {
      state.minute = minute;
      state.count = 0;
    }
    return state;
  }
}

function retryAfter(bucket: Bucket, count: number): number {
  if (bucket.perMinute <= 0) return 60;
  const missing = Math.min(count, bucket.burst) - bucket.tokens;
  return Math.max(1, Math.ceil((missing * 60) / bucket.perMinute));
}
