import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsonItem } from '@proliferate/protocol';
import { createTransport, type Envelope, type TransportResponse } from '../src/core/index.js';
import { backoffDelay } from '../src/core/transport.js';
import { isRateLimited, parseRetryAfter, updateRateLimits } from '../src/core/ratelimit.js';

const envelope = (type = 'event'): Envelope => ({ headers: {}, items: [jsonItem(type, { a: 1 }) as Envelope['items'][number]] });

/** A makeRequest that answers from a script of responses (an Error means a network failure). */
function scripted(responses: Array<TransportResponse | Error>) {
  const calls: Uint8Array[] = [];
  const makeRequest = async ({ body }: { body: Uint8Array }) => {
    calls.push(body);
    const next = responses.shift() ?? { statusCode: 200 };
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, makeRequest };
}

describe('rate limits', () => {
  const now = 1_000_000;

  test('X-Sentry-Rate-Limits limits only the categories it names', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error;transaction:organization, 10:log_item:project' } }, now);
    assert.equal(isRateLimited(limits, 'error', now + 59_000), true);
    assert.equal(isRateLimited(limits, 'error', now + 61_000), false);
    assert.equal(isRateLimited(limits, 'transaction', now + 1000), true);
    assert.equal(isRateLimited(limits, 'log_item', now + 11_000), false);
    assert.equal(isRateLimited(limits, 'session', now), false);
  });

  test('an empty category list limits everything', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': '30::organization' } }, now);
    assert.equal(isRateLimited(limits, 'anything', now + 29_000), true);
  });

  test('a 429 with only Retry-After (seconds or date) limits everything, 60 s without either', () => {
    assert.equal(parseRetryAfter('5', now), 5000);
    assert.equal(parseRetryAfter(new Date(now + 8000).toUTCString(), now), 8000);
    const bySeconds = updateRateLimits({}, { statusCode: 429, headers: { 'retry-after': '5' } }, now);
    assert.equal(isRateLimited(bySeconds, 'error', now + 4000), true);
    assert.equal(isRateLimited(bySeconds, 'error', now + 6000), false);
    const bare = updateRateLimits({}, { statusCode: 429 }, now);
    assert.equal(isRateLimited(bare, 'error', now + 59_000), true);
  });

  test('the transport drops items of a limited category but still sends the others', async () => {
    const { calls, makeRequest } = scripted([{ statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error' } }]);
    const transport = createTransport({}, makeRequest);
    transport.send(envelope('event'));
    await transport.flush(1000);
    transport.send(envelope('event')); // limited: never requested
    transport.send(envelope('transaction'));
    await transport.flush(1000);
    assert.equal(calls.length, 2);
    assert.match(new TextDecoder().decode(calls[1]), /"type":"transaction"/);
  });
});

describe('retries', () => {
  test('network errors and 5xx are retried with backoff until the server accepts', async () => {
    const { calls, makeRequest } = scripted([new Error('ECONNREFUSED'), { statusCode: 503 }, { statusCode: 500 }, { statusCode: 200 }]);
    const transport = createTransport({ retryBaseDelay: 5 }, makeRequest);
    transport.send(envelope());
    assert.equal(await transport.flush(2000), true);
    assert.equal(calls.length, 4);
  });

  test('after maxRetries the envelope is given up on and flush still completes', async () => {
    const { calls, makeRequest } = scripted(Array.from({ length: 10 }, () => ({ statusCode: 502 })));
    const transport = createTransport({ retryBaseDelay: 1, maxRetries: 2 }, makeRequest);
    transport.send(envelope());
    assert.equal(await transport.flush(2000), true);
    assert.equal(calls.length, 3);
  });

  test('a 4xx other than 429 is not retried', async () => {
    const { calls, makeRequest } = scripted([{ statusCode: 400 }]);
    const transport = createTransport({ retryBaseDelay: 1 }, makeRequest);
    transport.send(envelope());
    await transport.flush(1000);
    assert.equal(calls.length, 1);
  });

  test('backoff doubles from the base, with jitter, capped at 30 s', () => {
    assert.equal(backoffDelay(1, 1000, () => 0.5), 1000);
    assert.equal(backoffDelay(3, 1000, () => 0.5), 4000);
    assert.equal(backoffDelay(20, 1000, () => 0.5), 30_000);
    assert.equal(backoffDelay(1, 1000, () => 0), 800);
  });
});

describe('queue', () => {
  test('the queue is bounded: beyond bufferSize envelopes are dropped, send never throws or blocks', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const transport = createTransport({ bufferSize: 3, concurrency: 1 }, async () => {
      calls++;
      await gate;
      return { statusCode: 200 };
    });
    for (let i = 0; i < 10; i++) transport.send(envelope());
    release();
    await transport.flush(1000);
    assert.equal(calls, 3);
  });

  test('flush reports false when the timeout passes first', async () => {
    const transport = createTransport({}, () => new Promise(() => {}));
    transport.send(envelope());
    assert.equal(await transport.flush(20), false);
  });
});
