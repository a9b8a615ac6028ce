/**
 * A pre-generated pool of gzipped envelopes, so the load generator does no JSON or gzip work while
 * it measures. Built on worker threads (one per core); each envelope holds a distinct event id.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { envelope, issueSampler, makeEvent, rng } from './payload.js';

export interface PoolOptions {
  size: number;
  dsn: string;
  /** Distinct issues the events fall into (Zipf-distributed). */
  issues: number;
  seed: number;
}

interface Part {
  buffer: ArrayBuffer;
  offsets: Uint32Array;
}

function buildPart(options: PoolOptions, from: number, to: number): Part {
  const sampler = issueSampler(options.issues);
  const chunks: Buffer[] = [];
  const offsets = new Uint32Array(to - from + 1);
  let total = 0;
  const now = Date.now() / 1000;
  for (let i = from; i < to; i++) {
    const random = rng(options.seed * 1_000_003 + i);
    const issue = sampler(random);
    const body = envelope(makeEvent({ issue, timestamp: now - random() * 60, seed: options.seed * 7_000_001 + i }), options.dsn);
    chunks.push(body);
    offsets[i - from] = total;
    total += body.length;
  }
  offsets[to - from] = total;
  const joined = Buffer.concat(chunks, total);
  const buffer = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return { buffer, offsets };
}

if (!isMainThread && (workerData as { kind?: string })?.kind === 'bench-pool') {
  const { options, from, to } = workerData as { options: PoolOptions; from: number; to: number };
  const part = buildPart(options, from, to);
  parentPort!.postMessage(part, [part.buffer, part.offsets.buffer as ArrayBuffer]);
}

/** Workers do not inherit tsx's loader hooks on Node 20: register them, then load the module. */
export function tsWorkerBootstrap(moduleUrl: string): string {
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); });`;
}

/** Builds `size` envelopes; returns them as Buffers (views into a few large blocks). */
export async function buildPool(options: PoolOptions): Promise<Buffer[]> {
  const threads = Math.max(1, Math.min(availableParallelism(), 4));
  const per = Math.ceil(options.size / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const from = t * per;
      const to = Math.min(options.size, from + per);
      return new Promise<Part>((resolve, reject) => {
        const worker = new Worker(tsWorkerBootstrap(import.meta.url), { eval: true, workerData: { kind: 'bench-pool', options, from, to } });
        worker.once('message', (part: Part) => {
          resolve(part);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  const pool: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part.buffer);
    for (let i = 0; i + 1 < part.offsets.length; i++) pool.push(bytes.subarray(part.offsets[i]!, part.offsets[i + 1]!));
  }
  return pool;
}
