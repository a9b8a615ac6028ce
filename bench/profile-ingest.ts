/**
 * Where the ingest CPU goes: starts the built server, drives it like the ingest bench (closed loop,
 * 50 connections; or `PACED=<events/s>` for the open-loop run) and prints CPU time per event for
 * each server thread (main, writer, GC helpers) and for this load generator, from /proc. With
 * `PROFILE=<dir>` the server also writes V8 CPU profiles (one per thread) there. The server inherits
 * this environment (PROLIFERATE_* settings included). `PRELOAD=<seconds>` runs a closed loop first,
 * as the ingest bench does before its paced run; `POOL=<n>` sets the number of distinct envelopes.
 *
 *   npm run build && node --import tsx bench/profile-ingest.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closedLoop, fixedRate } from './load.js';
import { buildPool } from './pool.js';
import { cpuBetween, startProliferate, threadCpu } from './processes.js';

const profileDir = process.env.PROFILE;
const paced = Number(process.env.PACED ?? 0);
// Large enough that no event id repeats in a run at up to ~7,500 events/s: a repeat is a duplicate
// the writer skips, which would make the server look cheaper the faster it goes.
const pool = await buildPool({ size: Number(process.env.POOL ?? 130_000), dsn: 'http://pk_default_bench@127.0.0.1:8000/1', issues: 300, seed: 7 });
const server = await startProliferate({ nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
try {
  let next = 0;
  const target = {
    url: server.url,
    path: `/api/${server.projectId}/envelope/`,
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'content-encoding': 'gzip',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${server.publicKey}`,
    },
    nextBody: () => pool[next++ % pool.length]!,
  };
  await closedLoop(target, { connections: 50, seconds: 5, maxRequests: 4000 });
  // PRELOAD=<seconds>: a closed-loop run first, as the ingest bench does before its paced run.
  if (process.env.PRELOAD) {
    await closedLoop(target, { connections: 50, seconds: Number(process.env.PRELOAD), maxRequests: 1_000_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const before = threadCpu(server.process.pid!);
  const ownBefore = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const result = paced
    ? await fixedRate(target, { rate: paced, seconds: 12, connections: 50 })
    : await closedLoop(target, { connections: 50, seconds: 15, maxRequests: 1_000_000 });
  const after = threadCpu(server.process.pid!);
  const own = process.cpuUsage(ownBefore);
  loop.disable();
  const perEvent = (ms: number) => `${((ms * 1000) / result.ok).toFixed(0)} µs/event`;
  console.log(`${result.perSecond.toFixed(0)} events/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.failed} failed`);
  if (next > pool.length) console.log(`  the pool of ${pool.length} wrapped: ${next - pool.length} events were duplicates (set POOL higher)`);
  let total = 0;
  for (const { tid, user, system } of cpuBetween(before, after)) {
    total += user + system;
    if (user + system >= 100) console.log(`  thread ${tid}: user ${user} ms, system ${system} ms, ${perEvent(user + system)}`);
  }
  console.log(`  server: ${perEvent(total)}; load generator: ${perEvent((own.user + own.system) / 1000)}`);
  const lag = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`;
  console.log(`  load generator's event loop delay: p99 ${lag(loop.percentile(99))}, max ${lag(loop.max)}`);
} finally {
  await server.stop();
}
