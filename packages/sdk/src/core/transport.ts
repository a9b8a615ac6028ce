/**
 * The platform-independent transport: a bounded queue, retries with exponential backoff on network
 * errors and 5xx (the official SDKs drop the event there; we keep it, since a server restart should
 * not lose data), and rate limits per category. Platforms supply only `makeRequest`.
 */
import { debug } from './debug.js';
import { serialize, type Envelope } from './envelope.js';
import { isRateLimited, itemCategory, parseRetryAfter, updateRateLimits, type RateLimitResponse, type RateLimits } from './ratelimit.js';

export interface TransportRequest {
  body: Uint8Array;
}

export interface TransportResponse extends RateLimitResponse {
  statusCode: number;
}

export type MakeRequest = (request: TransportRequest) => Promise<TransportResponse>;

export interface Transport {
  /** Queues the envelope and returns at once; never throws. */
  send(envelope: Envelope): void;
  /** Resolves true once everything queued was sent (or given up on), false after `timeout` ms. */
  flush(timeout?: number): Promise<boolean>;
}

export interface TransportOptions {
  /** Envelopes held at most (queued, in flight or waiting to retry); more are dropped. Default 100. */
  bufferSize?: number;
  /** Attempts after the first for network errors and 5xx. Default 5. */
  maxRetries?: number;
  /** First backoff in ms, doubled each attempt, capped at 30 s, ±20 % jitter. Default 1000. */
  retryBaseDelay?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
}

interface Entry {
  body: Uint8Array;
  attempts: number;
}

const MAX_BACKOFF_MS = 30_000;

export function backoffDelay(attempt: number, base: number, random = Math.random): number {
  const raw = Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Lets a timer not hold a Node process open; a no-op in browsers. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

export function createTransport(options: TransportOptions, makeRequest: MakeRequest): Transport {
  const bufferSize = options.bufferSize ?? 100;
  const maxRetries = options.maxRetries ?? 5;
  const retryBaseDelay = options.retryBaseDelay ?? 1000;
  const concurrency = options.concurrency ?? 4;

  const queue: Entry[] = [];
  let held = 0; // queued + in flight + waiting to retry
  let inFlight = 0;
  let limits: RateLimits = {};
  let idleWaiters: Array<() => void> = [];

  function settle(): void {
    held--;
    if (held === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  function retryLater(entry: Entry, delay: number): void {
    entry.attempts++;
    if (entry.attempts > maxRetries) {
      debug.warn(`dropping an envelope after ${maxRetries} retries`);
      settle();
      return;
    }
    debug.log(`retrying an envelope in ${delay} ms (attempt ${entry.attempts})`);
    unref(
      setTimeout(() => {
        queue.push(entry);
        pump();
      }, delay),
    );
  }

  function handle(entry: Entry, response: TransportResponse): void {
    limits = updateRateLimits(limits, response);
    const status = response.statusCode;
    if (status >= 500) {
      const retryAfter = response.headers?.['retry-after'];
      const delay = retryAfter ? parseRetryAfter(retryAfter) : backoffDelay(entry.attempts + 1, retryBaseDelay);
      retryLater(entry, Math.min(delay, MAX_BACKOFF_MS));
      return;
    }
    if (status === 429) debug.warn('rate limited by the server; the envelope is dropped');
    else if (status >= 400) debug.warn(`the server refused an envelope with status ${status}`);
    settle();
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length > 0) {
      const entry = queue.shift()!;
      inFlight++;
      let request: Promise<TransportResponse>;
      try {
        request = makeRequest({ body: entry.body });
      } catch (error) {
        request = Promise.reject(error);
      }
      request.then(
        (response) => {
          inFlight--;
          handle(entry, response);
          pump();
        },
        (error: unknown) => {
          inFlight--;
          debug.warn('network error while sending:', error instanceof Error ? error.message : error);
          retryLater(entry, backoffDelay(entry.attempts + 1, retryBaseDelay));
          pump();
        },
      );
    }
  }

  return {
    send(envelope) {
      try {
        const items = envelope.items.filter((item) => {
          const limited = isRateLimited(limits, itemCategory(item.headers.type));
          if (limited) debug.log(`rate limited: dropping a ${item.headers.type} item`);
          return !limited;
        });
        if (items.length === 0) return;
        if (held >= bufferSize) {
          debug.warn(`transport buffer full (${bufferSize}); dropping an envelope`);
          return;
        }
        held++;
        queue.push({ body: serialize({ headers: envelope.headers, items }), attempts: 0 });
        pump();
      } catch (error) {
        debug.error('could not queue an envelope', error);
      }
    },
    flush(timeout) {
      if (held === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const wake = () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(true);
        };
        idleWaiters.push(wake);
        if (timeout !== undefined && timeout > 0) {
          timer = setTimeout(() => {
            idleWaiters = idleWaiters.filter((w) => w !== wake);
            resolve(false);
          }, timeout);
        }
      });
    },
  };
}
