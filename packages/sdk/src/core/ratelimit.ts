/**
 * Rate limits the server asks for, per data category (the Sentry protocol):
 *   X-Sentry-Rate-Limits: "60:error;transaction:organization, 2700::project"
 *   (seconds:categories:scope..., an empty category list means every category), else Retry-After
 *   (seconds or an HTTP date) on a 429, else 60 seconds.
 */

export type RateLimits = Record<string, number>; // category (or 'all') -> disabled until (ms epoch)

export const DEFAULT_RETRY_AFTER_MS = 60_000;

/** The category an envelope item counts against. */
export function itemCategory(itemType: string): string {
  switch (itemType) {
    case 'event':
      return 'error';
    case 'log':
      return 'log_item';
    case 'client_report':
      return 'internal';
    default:
      return itemType; // transaction, session, attachment, span, ...
  }
}

/** Milliseconds to wait from a Retry-After header value. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return DEFAULT_RETRY_AFTER_MS;
}

export interface RateLimitResponse {
  statusCode?: number;
  headers?: { 'x-sentry-rate-limits'?: string | null; 'retry-after'?: string | null };
}

/** New limits after a response: the rate-limit header wins over Retry-After, which applies to all. */
export function updateRateLimits(limits: RateLimits, response: RateLimitResponse, now = Date.now()): RateLimits {
  const updated: RateLimits = { ...limits };
  const header = response.headers?.['x-sentry-rate-limits'];
  if (header) {
    for (const limit of header.trim().split(',')) {
      const [secondsText, categories] = limit.trim().split(':', 2);
      const seconds = parseInt(secondsText ?? '', 10);
      const until = now + (Number.isNaN(seconds) ? 60 : seconds) * 1000;
      if (!categories) {
        updated.all = until;
      } else {
        for (const category of categories.split(';')) if (category) updated[category] = until;
      }
    }
  } else if (response.statusCode === 429) {
    updated.all = now + parseRetryAfter(response.headers?.['retry-after'], now);
  }
  return updated;
}

export function isRateLimited(limits: RateLimits, category: string, now = Date.now()): boolean {
  return (limits[category] ?? 0) > now || (limits.all ?? 0) > now;
}
