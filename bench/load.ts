/**
 * Load generators. Closed loop (max throughput) uses autocannon. The fixed-rate run uses a paced
 * open-loop sender: autocannon's rate limit sends each second's whole quota at the top of the
 * second as a burst, which measures burst queueing, not latency at a steady 2,500 events/s.
 * Both are bounded in request count and time.
 */
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { percentile } from './report.js';

const require = createRequire(import.meta.url);
// autocannon ships no types; the slice of its API used here is typed below.
const autocannon = require('autocannon') as (options: Record<string, unknown>) => AutocannonInstance;

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
  on(event: 'done', listener: (result: { duration: number; errors: number; timeouts: number }) => void): void;
  stop(): void;
}

export interface Target {
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Next body; called once per request. */
  nextBody: () => Buffer;
}

export interface LoadResult {
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  /** Every latency measured (ms), for percentiles over several runs together. */
  latencies: number[];
  /** The load generator's own event-loop delay during an open-loop run (ms): time it could not send on schedule. */
  loopDelay?: { p99: number; max: number };
}

function summarize(latencies: number[], statuses: Record<string, number>, seconds: number, extraFailures = 0): LoadResult {
  let ok = 0;
  let failed = extraFailures;
  for (const [status, count] of Object.entries(statuses)) {
    if (status.startsWith('2')) ok += count;
    else failed += count;
  }
  return {
    ok,
    failed,
    seconds,
    perSecond: ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.reduce((m, v) => (v > m ? v : m), 0),
    statuses,
    latencies,
  };
}

/** As many requests as `connections` keep-alive connections can push, for `seconds` or `maxRequests`. */
export function closedLoop(target: Target, options: { connections: number; seconds: number; maxRequests: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const instance = autocannon({
      url: target.url,
      connections: options.connections,
      duration: options.seconds,
      maxOverallRequests: options.maxRequests,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: target.path,
          headers: target.headers,
          setupRequest: (req: Record<string, unknown>) => ({ ...req, body: target.nextBody() }),
        },
      ],
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    instance.on('done', (result) => {
      if (!result) return reject(new Error('autocannon ended without a result'));
      const seconds = (performance.now() - started) / 1000;
      resolve(summarize(latencies, statuses, seconds, result.errors + result.timeouts));
    });
  });
}

/**
 * Open loop at a fixed rate: request i is due at start + i / rate and its latency is counted from
 * that moment, so time spent waiting for a free connection counts too (no coordinated omission).
 * If the server falls more than `maxBacklogSeconds` behind, due requests are skipped and counted
 * as failed rather than queued without bound.
 */
export async function fixedRate(
  target: Target,
  options: { rate: number; seconds: number; connections: number; maxBacklogSeconds?: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(target.path, target.url);
  const total = Math.floor(options.rate * options.seconds);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const maxBacklog = Math.ceil(options.rate * (options.maxBacklogSeconds ?? 5));
  let errors = 0;
  let skipped = 0;
  let due = 0;
  let sent = 0;
  let finished = 0;
  let done = false;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();

  await new Promise<void>((resolve) => {
    const send = (due: number) => {
      const body = target.nextBody();
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...target.headers, 'content-length': String(body.length) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            if (++finished === sent && done) resolve();
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        if (++finished === sent && done) resolve();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      const dueCount = Math.min(total, Math.floor(((now - started) / 1000) * options.rate) + 1);
      for (; due < dueCount; due++) {
        if (sent - finished >= maxBacklog) skipped++;
        else {
          sent++;
          send(started + (due / options.rate) * 1000);
        }
      }
      if (due < total) setTimeout(tick, 1);
      else {
        done = true;
        if (finished === sent) resolve();
      }
    };
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  agent.destroy();
  return { ...summarize(latencies, statuses, seconds, errors + skipped), loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } };
}
