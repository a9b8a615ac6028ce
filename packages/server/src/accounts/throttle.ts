/**
 * Sign-in throttling against guessing: failures are counted per account (the e-mail given) and per
 * client address in a sliding window. Past the limit, attempts are refused with 429 and
 * Retry-After before any password is checked. Counts live in this process: with several server
 * processes behind a balancer each keeps its own, so the limits multiply by the process count.
 */
export interface ThrottlePolicy {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 30 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.policy.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds to wait before another attempt, or 0 when an attempt may be made now. */
  retryAfter(account: string, address: string): number {
    const checks: Array<[string, number]> = [
      [`account:${account.toLowerCase()}`, this.policy.perAccount],
      [`address:${address}`, this.policy.perAddress],
    ];
    let wait = 0;
    for (const [key, limit] of checks) {
      const list = this.recent(key);
      if (list.length >= limit) wait = Math.max(wait, Math.ceil((list[list.length - limit]! + this.policy.windowMs - this.now()) / 1000));
    }
    return wait;
  }

  fail(account: string, address: string): void {
    if (this.failures.size > 100_000) this.failures.clear();
    for (const key of [`account:${account.toLowerCase()}`, `address:${address}`]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  /** A success clears the account's count (not the address's: one good password must not unlock guessing others). */
  succeed(account: string): void {
    this.failures.delete(`account:${account.toLowerCase()}`);
  }
}
