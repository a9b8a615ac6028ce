/**
 * What a project asks of ingest (issue 17): its rate limits, inbound filters and scrubbing rules
 * (one policy per project, kept as a JSON document), and the counts of what ingest dropped or the
 * SDKs reported dropping (outcomes), per hour, reason and data category.
 */

/** Events per minute, with a burst: a token bucket of `burst` tokens refilled at perMinute/60 a second. */
export interface RateLimit {
  perMinute: number;
  burst: number;
}

export interface InboundFilters {
  /** Regular expressions matched against the error message / title (case-insensitive). */
  messagePatterns: string[];
  /** Releases to drop; `*` matches any run of characters (1.2.*). */
  releases: string[];
  /** Environments to drop, exactly as sent. */
  environments: string[];
  /** Drop errors thrown from browser extensions and known extension noise. */
  browserExtensions: boolean;
}

export interface ScrubbingRules {
  /** The default rules (passwords, secrets, tokens, cards, national ids...); on unless turned off. */
  defaults: boolean;
  /** More key names to scrub, matched as substrings of keys without regard to case. */
  extraKeys: string[];
  /** More regular expressions whose matches are replaced in every string value. */
  extraPatterns: string[];
  /** Never keep the sender's or the user's IP address. */
  dropIpAddresses: boolean;
}

export interface IngestPolicy {
  /** The project's own limit; null takes the server-wide default (config.ts). */
  rateLimit: RateLimit | null;
  /** Limits of single keys (by public key), within the project's. */
  keyRateLimits: Record<string, RateLimit>;
  /** null takes the server-wide default. */
  spikeProtection: boolean | null;
  filters: InboundFilters;
  scrubbing: ScrubbingRules;
}

export const DEFAULT_POLICY: IngestPolicy = {
  rateLimit: null,
  keyRateLimits: {},
  spikeProtection: null,
  filters: { messagePatterns: [], releases: [], environments: [], browserExtensions: false },
  scrubbing: { defaults: true, extraKeys: [], extraPatterns: [], dropIpAddresses: false },
};

/** `filtered` (inbound filters), `rate_limited` (limits and spike protection), `client_discard` (SDK client reports). */
export type OutcomeKind = 'filtered' | 'rate_limited' | 'client_discard';

export interface OutcomeCount {
  projectId: number;
  /** Start of the hour, epoch ms. */
  hour: number;
  outcome: OutcomeKind;
  /** What decided: `project_quota`, `key_quota`, `spike_protection`, `release`, `ratelimit_backoff` (an SDK's)... */
  reason: string;
  /** Sentry's data category: error, transaction, span, log_item, replay, attachment... */
  category: string;
  count: number;
}

/** A process asking a shared rate-limit bucket for tokens (ingest/policy/shared-rate-limiter.ts). */
export interface RateTokenRequest {
  /** `p:<project id>` or `k:<public key>`. */
  scope: string;
  perMinute: number;
  burst: number;
  /** Tokens wanted (at most the burst is granted at once). */
  want: number;
}

export interface RateTokenGrant {
  scope: string;
  /** Tokens taken from the bucket for the caller: 0 up to `want`. */
  granted: number;
  /** Tokens left in the bucket after the grant. */
  tokens: number;
}

export interface IngestPolicyStore {
  /** The project's policy; undefined when it never changed one (DEFAULT_POLICY applies). */
  getIngestPolicy(projectId: number): Promise<IngestPolicy | undefined>;
  /** Every project's stored policy, for the in-memory cache. */
  listIngestPolicies(): Promise<Array<{ projectId: number; policy: IngestPolicy }>>;
  putIngestPolicy(projectId: number, policy: IngestPolicy): Promise<void>;
  /** Adds counts (rows with the same project, hour, outcome, reason and category add up). */
  addOutcomes(counts: OutcomeCount[]): Promise<void>;
  /** The project's counts from `sinceMs` on, oldest hour first. */
  listOutcomes(projectId: number, sinceMs: number): Promise<OutcomeCount[]>;
  /**
   * Refills each bucket (a new one starts full) for the time since it was last used, at
   * perMinute / 60,000 tokens a millisecond up to the burst, and takes what it can of `want`
   * (whole tokens): one statement for every bucket, atomic across processes.
   */
  leaseRateTokens(requests: RateTokenRequest[]): Promise<RateTokenGrant[]>;
  /**
   * Deletes the buckets nothing needs (the retention pass calls it): those of deleted projects and
   * of their keys or of revoked keys, and buckets unused for an hour that have refilled to their
   * burst (a new bucket starts full, so forgetting a full one changes no decision). Returns how many.
   */
  pruneRateBuckets(): Promise<number>;
}
