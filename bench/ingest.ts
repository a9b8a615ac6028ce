/**
 * Ingest section: the real server on a fresh data directory, driven over HTTP with gzipped
 * envelopes from a pre-generated pool. Max throughput (closed loop, 50 connections), latency at a
 * fixed 2,500 events/s (open loop), peak RSS, disk per event; and the bare node:http ceiling.
 */
import { closedLoop, fixedRate, type LoadResult, type Target } from './load.js';
import { buildPool } from './pool.js';
import { cpuBetween, diskPerEvent, peakRss, startProliferate, startReference, threadCpu } from './processes.js';
import { log, table, type Row } from './report.js';

export const INGEST = {
  connections: 50,
  maxSeconds: 20,
  rate: 2500,
  rateSeconds: 15,
  warmupRequests: 4000,
  /** Distinct events available to the real server; a max run that exhausts them ends early. */
  poolSize: 190_000,
  /** Issues the ingest events fall into (Zipf), as in a busy real project. */
  issues: 300,
};

const MB = 1024 * 1024;

export function envelopeTarget(url: string, projectId: string, publicKey: string, pool: Buffer[], cursor: { next: number }, wrap = false): Target {
  return {
    url,
    path: `/api/${projectId}/envelope/`,
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'content-encoding': 'gzip',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}, sentry_client=sentry.javascript.node/10.22.0`,
    },
    nextBody: () => {
      if (cursor.next >= pool.length) {
        if (!wrap) throw new Error('envelope pool exhausted');
        cursor.next = 0;
      }
      return pool[cursor.next++]!;
    },
  };
}

export const describe = (r: LoadResult) =>
  `${r.ok} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s` + (r.failed ? ` ${JSON.stringify(r.statuses)}` : '');

export async function runIngest(): Promise<Row[]> {
  log(`ingest: generating ${INGEST.poolSize} gzipped envelopes over ${INGEST.issues} issues`);
  const placeholderDsn = 'http://pk_default_bench@127.0.0.1:8000/1';
  const t0 = performance.now();
  const pool = await buildPool({ size: INGEST.poolSize, dsn: placeholderDsn, issues: INGEST.issues, seed: Date.now() % 100_000 });
  const avgBytes = pool.reduce((sum, b) => sum + b.length, 0) / pool.length;
  log(`ingest: pool ready in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${Math.round(avgBytes)} B per gzipped envelope`);

  // Reference: the same bodies (repeats are fine there), same connections and duration.
  const reference = await startReference();
  let ceiling: LoadResult;
  try {
    const target = envelopeTarget(reference.url, '1', 'pk', pool, { next: 0 }, true);
    await closedLoop(target, { connections: INGEST.connections, seconds: 3, maxRequests: 50_000 });
    log('ingest: reference node:http server, max throughput');
    ceiling = await closedLoop(target, { connections: INGEST.connections, seconds: INGEST.maxSeconds, maxRequests: 400_000 });
    log(`  ${describe(ceiling)}`);
  } finally {
    await reference.stop();
  }

  const server = await startProliferate();
  let max: LoadResult;
  let paced: LoadResult;
  let rss: number | null;
  let threads: number[] = [];
  try {
    const cursor = { next: 0 };
    const target = envelopeTarget(server.url, server.projectId, server.publicKey, pool, cursor);
    log(`ingest: warm-up, ${INGEST.warmupRequests} events`);
    await closedLoop(target, { connections: INGEST.connections, seconds: 10, maxRequests: INGEST.warmupRequests });
    const rateEvents = INGEST.rate * INGEST.rateSeconds;
    const forMax = pool.length - cursor.next - rateEvents;
    log(`ingest: max throughput, ${INGEST.connections} connections, ${INGEST.maxSeconds} s (at most ${forMax} events)`);
    const cpuBefore = threadCpu(server.process.pid!);
    max = await closedLoop(target, { connections: INGEST.connections, seconds: INGEST.maxSeconds, maxRequests: forMax });
    // The two busiest threads are the main (HTTP, digest) and writer (SQLite) threads.
    threads = cpuBetween(cpuBefore, threadCpu(server.process.pid!)).map((t) => ((t.user + t.system) * 1000) / max.ok);
    log(`  ${describe(max)}`);
    await new Promise((r) => setTimeout(r, 1000));
    log(`ingest: fixed rate ${INGEST.rate} events/s for ${INGEST.rateSeconds} s (open loop)`);
    paced = await fixedRate(target, { rate: INGEST.rate, seconds: INGEST.rateSeconds, connections: INGEST.connections });
    log(`  ${describe(paced)}`);
    rss = peakRss(server.process.pid!);
  } finally {
    await server.stop({ keepData: true });
  }
  const disk = diskPerEvent(server.dataDir);
  log(`ingest: ${disk.events} events stored in ${(disk.bytes / MB).toFixed(1)} MB`);
  const { rmSync } = await import('node:fs');
  rmSync(server.dataDir, { recursive: true, force: true });

  const exhausted = max.ok + max.failed >= pool.length - INGEST.warmupRequests - INGEST.rate * INGEST.rateSeconds;
  return [
    { name: 'ingest max throughput (50 conn)', value: max.perSecond, unit: 'events/s', target: { op: '>=', value: 5000 }, note: `${describe(max)}${exhausted ? ', pool exhausted: ended early' : ''}` },
    { name: '  ack latency p50 at max', value: max.p50, unit: 'ms' },
    { name: '  ack latency p99 at max', value: max.p99, unit: 'ms' },
    { name: 'ack latency p99 at 2,500 events/s', value: paced.p99, unit: 'ms', target: { op: '<=', value: 50 }, note: `p50 ${paced.p50.toFixed(1)} ms, max ${paced.max.toFixed(0)} ms; ${describe(paced)}; sender's own event-loop delay p99 ${paced.loopDelay!.p99.toFixed(1)} ms, max ${paced.loopDelay!.max.toFixed(0)} ms` },
    { name: '  server CPU per event at max', value: threads.reduce((a, b) => a + b, 0), unit: 'µs', note: `busiest threads ${threads.slice(0, 2).map((t) => t.toFixed(0)).join(' and ')} µs (main and writer), the rest GC and libuv` },
    { name: 'peak RSS of the server (VmHWM)', value: rss === null ? null : rss / MB, unit: 'MB', target: { op: '<=', value: 300 } },
    { name: 'disk per event (after checkpoint)', value: disk.events ? disk.bytes / disk.events : null, unit: 'B', target: { op: '<=', value: 2048 }, note: `${disk.events} events, ${(disk.bytes / MB).toFixed(1)} MB` },
    { name: 'reference: bare node:http + gunzip + JSON.parse', value: ceiling.perSecond, unit: 'req/s', note: `p50 ${ceiling.p50.toFixed(1)} ms, p99 ${ceiling.p99.toFixed(1)} ms` },
  ];
}

export function ingestTable(rows: Row[]): string {
  return table(`ingest (HTTP, gzipped ~6 KB events, ${INGEST.connections} connections, synchronous=FULL durable acks)`, rows);
}
