/**
 * Node transport: node:http(s) with keep-alive, gzip above 32 KiB (small envelopes are not worth
 * the CPU; the official Node SDK uses the same kind of threshold).
 */
import http from 'node:http';
import https from 'node:https';
import { gzip } from 'node:zlib';
import { createTransport, type Transport, type TransportFactoryOptions, type TransportResponse } from '../core/index.js';

export const GZIP_THRESHOLD = 32 * 1024;
const TIMEOUT_MS = 30_000;

function compress(body: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(body, (error, out) => (error ? reject(error) : resolve(out))));
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function makeNodeTransport(options: TransportFactoryOptions): Transport {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const request = secure ? https.request : http.request;

  return createTransport(options, async ({ body }) => {
    const gzipped = body.byteLength > GZIP_THRESHOLD;
    const payload = gzipped ? await compress(body) : body;
    return new Promise<TransportResponse>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/x-sentry-envelope',
            'content-length': String(payload.byteLength),
            ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
          },
        },
        (res) => {
          res.resume(); // the body is not needed; drain it so the socket is reused
          res.on('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: {
                'retry-after': headerText(res.headers['retry-after']),
                'x-sentry-rate-limits': headerText(res.headers['x-sentry-rate-limits']),
              },
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  });
}
