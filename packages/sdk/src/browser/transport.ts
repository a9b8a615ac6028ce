/**
 * Browser transport: fetch, with `keepalive` once the page is being hidden or unloaded so the last
 * events survive navigation. Browsers allow 64 KiB of keepalive bodies in flight in total, so
 * larger bodies go without it (and may be lost if the page is really closing).
 */
import { createTransport, type Transport, type TransportFactoryOptions } from '../core/index.js';

const KEEPALIVE_BUDGET = 60_000;

export function makeFetchTransport(options: TransportFactoryOptions): Transport {
  // Taken before the fetch breadcrumb integration wraps window.fetch: our requests are not crumbs.
  const nativeFetch = globalThis.fetch.bind(globalThis);
  let keepaliveBytes = 0;

  return createTransport(options, async ({ body }) => {
    const keepalive = Boolean(options.isUnloading?.()) && keepaliveBytes + body.byteLength <= KEEPALIVE_BUDGET;
    if (keepalive) keepaliveBytes += body.byteLength;
    try {
      const response = await nativeFetch(options.url, {
        method: 'POST',
        // No content-type: a body of bytes without one is a "simple" request, so no CORS preflight.
        body: body as BodyInit,
        keepalive,
        credentials: 'omit',
        referrerPolicy: 'strict-origin',
      });
      return {
        statusCode: response.status,
        headers: {
          'retry-after': response.headers.get('retry-after'),
          'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
        },
      };
    } finally {
      if (keepalive) keepaliveBytes -= body.byteLength;
    }
  });
}
