/**
 * Overload section (issue 17): ingest driven past capacity (1,000 connections, closed loop) while a
 * prober reads /healthz and the issue list every 50 ms; their p99 must stay within 100 ms, and
 * ingest answers 503 + Retry-After past the bounded queue instead of unbounded latency. Also ingest
 * throughput with server-side scrubbing on (the default) and off, in the same run and server.
 */
import { execFile } from 'node:child_process';
import { describe, envelopeTarget } from './ingest.js';
import { closedLoop, type LoadResult } from './load.js';
import { buildPool } from './pool.js';
import { startProliferate } from './processes.js';
import { log, percentile, table, type Row } from './report.js';

const OVERLOAD = { poolSize: 40_000, connections: 1000, seconds: 15, scrubSeconds: 8, scrubConnections: 20 };

/**
 * Reads `url` every 50 ms for `ms` in a child process, so the load generator's own CPU (1,000
 * autocannon connections) does not delay the probe's timers; each latency in ms (Infinity for a
 * failure or a 10 s timeout).
 */
function probe(url: string, ms: number, token?: string): Promise<number[]> {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const [url, ms, token] = process.argv.slice(1);
    const out = [];
    const end = Date.now() + Number(ms);
    const once = () => new Promise((resolve) => {
      const started = performance.now();
      const req = http.request(url, { agent, headers: token ? { authorization: 'Bearer ' + token } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - started : null));
      });
      req.setTimeout(10000, () => req.destroy());
      req.on('error', () => resolve(null));
      req.end();
    });
    (async () => {
      while (Date.now() < end) {
        out.push(await once());
        await new Promise((r) => setTimeout(r, 50));
      }
      process.stdout.write(JSON.stringify(out));
      agent.destroy();
    })();`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, url, String(ms), token ?? ''], { timeout: ms + 30_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve((JSON.parse(stdout) as Array<number | null>).map((v) => v ?? Number.POSITIVE_INFINITY));
    });
  });
}

export async function runOverload(): Promise<Row[]> {
  log(`overload: generating ${OVERLOAD.poolSize} gzipped envelopes`);
  const pool = await buildPool({ size: OVERLOAD.poolSize, dsn: 'http://pk_default_bench@127.0.0.1:8000/1', issues: 300, seed: Date.now() % 100_000 });
  const server = await startProliferate();
  try {
    const created = await server.api('/api/0/projects/', { method: 'POST', body: { name: 'No scrubbing' } });
    const plain = created.body as { id: number; publicKey: string };
    const policy = {
      rateLimit: null,
      keyRateLimits: {},
      spikeProtection: null,
      filters: { messagePatterns: [], releases: [], environments: [], browserExtensions: false },
      scrubbing: { defaults: false, extraKeys: [], extraPatterns: [], dropIpAddresses: false },
    };
    await server.api(`/api/0/projects/${plain.id}/ingest-policy/`, { method: 'PUT', body: policy });
    const cursor = { next: 0 };
    const scrubbed = envelopeTarget(server.url, server.projectId, server.publicKey, pool, cursor, true);
    const unscrubbed = envelopeTarget(server.url, String(plain.id), plain.publicKey, pool, cursor, true);
    log('overload: warm-up');
    await closedLoop(scrubbed, { connections: OVERLOAD.scrubConnections, seconds: 5, maxRequests: 3000 });
    log(`overload: ingest with scrubbing (default rules) and without, ${OVERLOAD.scrubSeconds} s each`);
    const withScrub = await closedLoop(scrubbed, { connections: OVERLOAD.scrubConnections, seconds: OVERLOAD.scrubSeconds, maxRequests: 200_000 });
    const withoutScrub = await closedLoop(unscrubbed, { connections: OVERLOAD.scrubConnections, seconds: OVERLOAD.scrubSeconds, maxRequests: 200_000 });
    log(`  scrubbing on: ${describe(withScrub)}; off: ${describe(withoutScrub)}`);

    log(`overload: ${OVERLOAD.connections} connections for ${OVERLOAD.seconds} s, probing /healthz and the issue list`);
    const flood = closedLoop(scrubbed, { connections: OVERLOAD.connections, seconds: OVERLOAD.seconds, maxRequests: 2_000_000 });
    const issues = `${server.url}/api/0/projects/${server.projectId}/issues/?limit=25`;
    const probeMs = (OVERLOAD.seconds - 2) * 1000;
    const [ingest, health, list] = await Promise.all([flood, probe(`${server.url}/healthz`, probeMs), probe(issues, probeMs, server.adminToken)]);
    log(`  ingest: ${describe(ingest)}`);
    return rows(withScrub, withoutScrub, ingest, health, list);
  } finally {
    await server.stop();
  }
}

function rows(withScrub: LoadResult, withoutScrub: LoadResult, ingest: LoadResult, health: number[], list: number[]): Row[] {
  const failedProbes = (l: number[]) => l.filter((v) => !Number.isFinite(v)).length;
  const refused = ingest.statuses['503'] ?? 0;
  return [
    { name: 'ingest with scrubbing (default rules)', value: withScrub.perSecond, unit: 'events/s', note: `p99 ${withScrub.p99.toFixed(1)} ms` },
    { name: 'ingest without scrubbing', value: withoutScrub.perSecond, unit: 'events/s', note: `p99 ${withoutScrub.p99.toFixed(1)} ms; scrubbing costs ${(100 * (1 - withScrub.perSecond / withoutScrub.perSecond)).toFixed(1)} %` },
    { name: `/healthz p99 under ingest overload (${OVERLOAD.connections} conn)`, value: percentile(health, 99), unit: 'ms', target: { op: '<=', value: 100 }, note: `${health.length} probes, ${failedProbes(health)} failed, p50 ${percentile(health, 50).toFixed(1)} ms, max ${Math.max(...health).toFixed(0)} ms` },
    { name: 'issue list p99 under ingest overload', value: percentile(list, 99), unit: 'ms', target: { op: '<=', value: 100 }, note: `${list.length} probes, ${failedProbes(list)} failed, p50 ${percentile(list, 50).toFixed(1)} ms, max ${Math.max(...list).toFixed(0)} ms` },
    { name: '  ingest accepted under overload', value: ingest.perSecond, unit: 'events/s', note: `${ingest.ok} accepted, ${refused} answered 503 + Retry-After, ${ingest.failed - refused} other failures; ack p99 ${ingest.p99.toFixed(0)} ms` },
  ];
}

export function overloadTable(rows: Row[]): string {
  return table('overload (ingest past capacity, bounded queue) and scrubbing cost', rows);
}
