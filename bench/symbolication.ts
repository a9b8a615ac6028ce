/**
 * Symbolication section: the real server, a minified bundle of ~1,500 functions uploaded the way
 * sentry-cli does (chunk upload + artifact bundle assemble, debug IDs). Ingest throughput of
 * events whose 10 frames all need mapping (warm map cache) beside the same events without debug
 * IDs in a project without maps, alternated in one run; and the cost of a cold map: the ack time
 * of the first event after an upload, against a warm one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { cliPath } from '../tests/helpers/server.js';
import { closedLoop, type LoadResult, type Target } from './load.js';
import { startProliferate, type RunningServer } from './processes.js';
import { log, percentile, table, type Row } from './report.js';

const FUNCTIONS = 1500;
const CONNECTIONS = 50;
const ROUND_SECONDS = 8;
const ROUNDS = 2;
const POOL = 60_000;
const COLD_SAMPLES = 5;

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

function appSource(seed: number): string {
  const lines: string[] = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    lines.push(`export function handler${seed}_${i}(input) {`, `  const value = input.items[${i % 7}] ?? ${i};`, `  if (value < 0) {`, `    throw new TypeError('negative value in handler ${i}');`, `  }`, `  return value * ${i + 1};`, `}`);
  }
  return lines.join('\n');
}

interface Bundle {
  debugId: string;
  url: string;
  /** 1-based line and column of each function's `throw` in the minified code. */
  throws: Array<{ lineno: number; colno: number }>;
}

async function uploadBundle(server: RunningServer, seed: number): Promise<Bundle> {
  const { code, map } = await transform(appSource(seed), { minify: true, sourcemap: 'external', sourcefile: `src/handlers-${seed}.js`, format: 'esm' });
  const debugId = randomUUID();
  const url = `https://cdn.bench.test/assets/app-${seed}.min.js`;
  const files = { 'a.js': strToU8(code), 'a.js.map': strToU8(map) };
  const manifest = {
    files: {
      'a.js': { url: `~/assets/app-${seed}.min.js`, type: 'minified_source', headers: { 'debug-id': debugId } },
      'a.js.map': { url: `~/assets/app-${seed}.min.js.map`, type: 'source_map', headers: { 'debug-id': debugId } },
    },
  };
  const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...files });
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const form = new FormData();
  form.append('file', new Blob([zip]), sha1(zip));
  const up = await fetch(`${server.url}/api/0/organizations/default/chunk-upload/`, { method: 'POST', headers: auth, body: form });
  if (up.status !== 200) throw new Error(`chunk upload answered ${up.status}`);
  const res = await server.api('/api/0/organizations/default/artifactbundle/assemble/', { body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] } });
  if (res.body.state !== 'ok') throw new Error(`assemble answered ${JSON.stringify(res.body)}`);
  const throws: Bundle['throws'] = [];
  const lines = code.split('\n');
  lines.forEach((line, i) => {
    for (let at = line.indexOf('throw'); at !== -1; at = line.indexOf('throw', at + 1)) throws.push({ lineno: i + 1, colno: at + 1 });
  });
  log(`symbolication: bundle ${seed}: ${(code.length / 1024).toFixed(0)} KB minified, ${(map.length / 1024).toFixed(0)} KB map`);
  return { debugId, url, throws };
}

function event(bundle: Bundle, n: number, withDebugIds: boolean): Buffer {
  const frames = Array.from({ length: 10 }, (_, k) => {
    const at = bundle.throws[(n * 7 + k * 131) % bundle.throws.length]!;
    return { function: 'r', abs_path: bundle.url, lineno: at.lineno, colno: at.colno, in_app: true };
  });
  const body = {
    event_id: randomUUID().replace(/-/g, ''),
    platform: 'javascript',
    exception: { values: [{ type: 'TypeError', value: `negative value ${n % 50}`, stacktrace: { frames } }] },
    tags: { shard: String(n % 20) },
    user: { id: `u${n % 500}` },
    ...(withDebugIds ? { debug_meta: { images: [{ type: 'sourcemap', code_file: bundle.url, debug_id: bundle.debugId }] } } : {}),
  };
  return gzipSync(`{}\n{"type":"event"}\n${JSON.stringify(body)}\n`);
}

function target(server: RunningServer, projectId: string, publicKey: string, pool: Buffer[]): Target {
  let next = 0;
  return {
    url: server.url,
    path: `/api/${projectId}/envelope/`,
    headers: { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}` },
    nextBody: () => pool[next++ % pool.length]!,
  };
}

async function ackMs(server: RunningServer, body: Buffer): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body });
  await res.text();
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  return performance.now() - t;
}

export async function runSymbolication(): Promise<Row[]> {
  const server = await startProliferate();
  try {
    const plainProject = JSON.parse(execFileSync(process.execPath, [cliPath, 'project', 'create', 'Plain', '--data-dir', server.dataDir], { encoding: 'utf8' })) as { id: number; publicKey: string };

    // Cold maps: the first event after each upload parses the map; the next one finds it cached.
    const cold: number[] = [];
    const warm: number[] = [];
    for (let s = 0; s < COLD_SAMPLES; s++) {
      const bundle = await uploadBundle(server, 100 + s);
      cold.push(await ackMs(server, event(bundle, s, true)));
      for (let k = 1; k <= 3; k++) warm.push(await ackMs(server, event(bundle, s + k, true)));
    }

    const bundle = await uploadBundle(server, 1);
    log(`symbolication: generating ${POOL} events of each kind`);
    const mapped = Array.from({ length: POOL }, (_, n) => event(bundle, n, true));
    const plain = Array.from({ length: POOL }, (_, n) => event(bundle, n, false));
    const mappedTarget = target(server, server.projectId, server.publicKey, mapped);
    const plainTarget = target(server, String(plainProject.id), plainProject.publicKey, plain);
    await closedLoop(mappedTarget, { connections: CONNECTIONS, seconds: 3, maxRequests: 3000 });
    await closedLoop(plainTarget, { connections: CONNECTIONS, seconds: 3, maxRequests: 3000 });
    const runs: { plain: LoadResult[]; mapped: LoadResult[] } = { plain: [], mapped: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['plain', 'mapped'] as const) {
        const result = await closedLoop(kind === 'plain' ? plainTarget : mappedTarget, { connections: CONNECTIONS, seconds: ROUND_SECONDS, maxRequests: POOL / ROUNDS });
        log(`  ${kind}: ${result.perSecond.toFixed(0)} events/s, p99 ${result.p99.toFixed(1)} ms, ${result.failed} failed`);
        runs[kind].push(result);
      }
    }
    const mean = (rs: LoadResult[]) => rs.reduce((n, r) => n + r.perSecond, 0) / rs.length;
    const plainRate = mean(runs.plain);
    const mappedRate = mean(runs.mapped);
    const check = await server.api(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent('error.type:TypeError')}`);
    const grouped = (check.body as Array<{ culprit: string }>).length;
    const coldMedian = percentile(cold, 50);
    const warmMedian = percentile(warm, 50);
    return [
      { name: 'plain events (no maps), 10 JS frames', value: plainRate, unit: 'events/s', note: runs.plain.map((r) => r.perSecond.toFixed(0)).join(' / ') },
      { name: 'events needing symbolication, warm cache', value: mappedRate, unit: 'events/s', note: `${runs.mapped.map((r) => r.perSecond.toFixed(0)).join(' / ')}; 10 mapped frames each; ${grouped} issues` },
      { name: '  slowdown vs plain', value: (1 - mappedRate / plainRate) * 100, unit: '%', target: { op: '<=', value: 20 } },
      { name: '  ack p99, symbolicated', value: percentile(runs.mapped.map((r) => r.p99), 100), unit: 'ms' },
      { name: 'cold map: first event after upload (ack)', value: coldMedian, unit: 'ms', note: `median of ${COLD_SAMPLES}; all ${cold.map((c) => c.toFixed(0)).join(', ')} ms` },
      { name: '  same bundle, warm (ack)', value: warmMedian, unit: 'ms', note: `cold map cost ≈ ${(coldMedian - warmMedian).toFixed(0)} ms for a ${FUNCTIONS}-function bundle` },
    ];
  } finally {
    await server.stop();
  }
}

export function symbolicationTable(rows: Row[]): string {
  return table(`symbolication (${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s each)`, rows);
}
