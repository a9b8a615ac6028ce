/**
 * The operational settings read by config.ts (readConfig stays the only reader of the environment):
 * ingest quotas and the overload gate, who may read /metrics, and retention. Kept apart from the
 * rest of the configuration because they belong together in docs/operations.md.
 */
import { boolean, ConfigError } from './config.js';

type Setting = (flag: null, name: string) => { value: string | undefined; label: string };

/** Server-wide ingest quotas and overload bounds; projects and keys override the limits (API). */
export interface QuotaConfig {
  /** PROLIFERATE_RATE_LIMIT_PER_MINUTE: events a project may send per minute; 0 means no limit. */
  perMinute: number;
  /** PROLIFERATE_RATE_LIMIT_BURST: events above the steady rate accepted at once. */
  burst: number;
  /** PROLIFERATE_SPIKE_PROTECTION: on for projects that do not choose. */
  spikeProtection: boolean;
  /** PROLIFERATE_SPIKE_MULTIPLIER: a minute may hold this many times the project's usual rate. */
  spikeMultiplier: number;
  /** PROLIFERATE_SPIKE_FLOOR_PER_MINUTE: spike protection never limits below this many a minute. */
  spikeFloorPerMinute: number;
  /** PROLIFERATE_INGEST_QUEUE: ingest requests in progress at once; past it, 503 + Retry-After. */
  maxInFlight: number;
  /** PROLIFERATE_INGEST_MAX_LAG_MS: event-loop delay past which ingest is refused (503) so the API stays responsive. */
  maxLoopDelayMs: number;
}

export interface MetricsConfig {
  /** PROLIFERATE_METRICS_TOKEN: the bearer token /metrics asks for; null when unset. */
  token: string | null;
  /** PROLIFERATE_METRICS_PUBLIC: serve /metrics to anyone (behind a private network). */
  public: boolean;
}

export interface RetentionConfig {
  /** PROLIFERATE_RETENTION_DAYS: kept this long unless a project sets its own (default 90). */
  defaultDays: number;
  /** PROLIFERATE_RETENTION_INTERVAL_MS: time between two retention passes (default one hour). */
  intervalMs: number;
  /** PROLIFERATE_PURGE_BATCH: events (and as many spans, logs...) deleted per transaction. */
  batchSize: number;
  /** PROLIFERATE_PURGE_PAUSE_MS: pause between two batches, for ingest to go first. */
  pauseMs: number;
}

/**
 * A batch of 500 events takes ~15-30 ms on SQLite (each event has ~20 tag rows to delete), short
 * enough that an ingest commit waiting for the write lock is barely delayed (bench: retention case).
 */
export const DEFAULT_RETENTION: RetentionConfig = { defaultDays: 90, intervalMs: 3_600_000, batchSize: 500, pauseMs: 20 };

export function readRetention(setting: Setting): RetentionConfig {
  const integer = (name: string, min: number, max: number, fallback: number) => {
    const { value, label } = setting(null, name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${label} must be an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
  return {
    defaultDays: integer('PROLIFERATE_RETENTION_DAYS', 1, 3650, DEFAULT_RETENTION.defaultDays),
    intervalMs: integer('PROLIFERATE_RETENTION_INTERVAL_MS', 100, 86_400_000, DEFAULT_RETENTION.intervalMs),
    batchSize: integer('PROLIFERATE_PURGE_BATCH', 1, 10_000, DEFAULT_RETENTION.batchSize),
    pauseMs: integer('PROLIFERATE_PURGE_PAUSE_MS', 0, 10_000, DEFAULT_RETENTION.pauseMs),
  };
}

function wholeNumber({ value, label }: { value: string | undefined; label: string }, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${label} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function readQuotas(setting: Setting): QuotaConfig {
  const perMinute = wholeNumber(setting(null, 'PROLIFERATE_RATE_LIMIT_PER_MINUTE'), 0, 0, 100_000_000);
  return {
    perMinute,
    // A burst of a tenth of a minute's events by default: SDKs flush in batches.
    burst: wholeNumber(setting(null, 'PROLIFERATE_RATE_LIMIT_BURST'), Math.max(10, Math.ceil(perMinute / 10)), 1, 100_000_000),
    spikeProtection: boolean(setting(null, 'PROLIFERATE_SPIKE_PROTECTION'), false),
    spikeMultiplier: wholeNumber(setting(null, 'PROLIFERATE_SPIKE_MULTIPLIER'), 10, 2, 1000),
    spikeFloorPerMinute: wholeNumber(setting(null, 'PROLIFERATE_SPIKE_FLOOR_PER_MINUTE'), 1000, 1, 100_000_000),
    maxInFlight: wholeNumber(setting(null, 'PROLIFERATE_INGEST_QUEUE'), 128, 1, 100_000),
    maxLoopDelayMs: wholeNumber(setting(null, 'PROLIFERATE_INGEST_MAX_LAG_MS'), 40, 5, 10_000),
  };
}

export function readMetrics(setting: Setting): MetricsConfig {
  const token = setting(null, 'PROLIFERATE_METRICS_TOKEN');
  if (token.value !== undefined && token.value.length < 16) throw new ConfigError(`${token.label} must be at least 16 characters`);
  return { token: token.value ?? null, public: boolean(setting(null, 'PROLIFERATE_METRICS_PUBLIC'), false) };
}
