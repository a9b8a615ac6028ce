/**
 * Memory for request bodies is bounded across requests (issue 17): a burst of concurrent
 * decompression bombs of every encoding is answered 413 or 503 + Retry-After, the server's peak RSS
 * stays bounded, and ingest works afterwards. Before the budget, such a burst took the server past
 * 800 MB (and here past 1 GB).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

const BUDGET_MB = 128;
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { PROLIFERATE_MAX_BODY_MEMORY_MB: String(BUDGET_MB) } });
});
after(async () => {
  await server.stop();
});

/** Peak resident memory of the server process so far, in MB (Linux /proc). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

test('a burst of concurrent decompression bombs of every encoding gets 413 or 503 with Retry-After, keeps peak RSS bounded, and the server works after', async () => {
  // 150 MB of zeros: past the 100 MiB decompressed limit, a few hundred KB compressed.
  const zeros = Buffer.alloc(150 * 1024 * 1024);
  const bombs: Array<[string, Buffer]> = [
    ['gzip', gzipSync(zeros, { level: 1 })],
    ['deflate', deflateSync(zeros, { level: 1 })],
    ['deflate', deflateRawSync(zeros, { level: 1 })],
    ['br', brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })],
  ];
  const baseline = peakRssMb(server.process.pid!);
  const url = `${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`;
  const requests = Array.from({ length: 24 }, async (_, i) => {
    const [encoding, body] = bombs[i % bombs.length]!;
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-encoding': encoding } });
    const answer = await response.json();
    return { encoding, status: response.status, retryAfter: response.headers.get('retry-after'), code: answer.error?.code };
  });
  const answers = await Promise.all(requests);
  for (const answer of answers) {
    assert.ok(answer.status === 413 || answer.status === 503, JSON.stringify(answer));
    if (answer.status === 503) {
      assert.equal(answer.code, 'server_busy');
      assert.ok(Number(answer.retryAfter) > 0, JSON.stringify(answer));
    } else assert.equal(answer.code, 'payload_too_large');
  }
  const peak = peakRssMb(server.process.pid!);
  console.log(`peak RSS ${peak.toFixed(0)} MB (before the burst ${baseline.toFixed(0)} MB); answers ${answers.map((a) => a.status).join(' ')}`);
  assert.ok(peak < baseline + 3 * BUDGET_MB + 64, `peak RSS ${peak.toFixed(0)} MB with a ${BUDGET_MB} MB budget (baseline ${baseline.toFixed(0)} MB)`);

  // The budget is free again: an ordinary event is accepted and listed.
  const id = randomUUID().replace(/-/g, '');
  const plain = await fetch(url, { method: 'POST', body: gzipSync(`{"event_id":"${id}"}\n{"type":"event"}\n{"message":"after the bombs"}\n`), headers: { 'content-encoding': 'gzip' } });
  assert.equal(plain.status, 200, await plain.text());
  const listed = await server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
  assert.equal(listed.status, 200);
});
