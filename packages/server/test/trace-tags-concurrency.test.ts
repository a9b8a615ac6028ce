/**
 * Tagging traces while the writer thread is committing new ones: every batch-tag and tag call
 * succeeds. (A read-then-write transaction on the API connection used to fail at once with
 * SQLITE_BUSY_SNAPSHOT whenever the writer committed in between: 10 of 40 calls answered 500.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../tests/helpers/server.js';

const hex = (n: number, length: number) => n.toString(16).padStart(length, '0');

test('batch tagging and tag edits succeed while transactions are being ingested', async () => {
  const server = await startServer();
  try {
    let stop = false;
    let sent = 0;
    const sender = async (lane: number) => {
      for (let i = 1; !stop && i < 3000; i++) {
        const n = lane * 100_000 + i;
        const t = Date.now() / 1000;
        const transaction = {
          type: 'transaction', transaction: 'checkout', start_timestamp: t, timestamp: t + 0.01, tags: { lane: String(lane) },
          contexts: { trace: { trace_id: hex(n, 32), span_id: hex(n, 16), status: n % 2 ? 'internal_error' : 'ok' } },
        };
        const response = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, {
          method: 'POST',
          body: `{}\n{"type":"transaction"}\n${JSON.stringify(transaction)}\n`,
        });
        assert.equal(response.status, 200);
        sent++;
      }
    };
    const senders = [1, 2, 3].map(sender);
    while (sent < 10) await new Promise((r) => setTimeout(r, 10));
    const failures: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = await server.api(`/api/0/projects/${server.projectId}/traces/tags/`, { body: { filter: "status = 'ERROR'", set: { round: String(i) } } });
      if (batch.status !== 200) failures.push(batch.body);
      const put = await server.api(`/api/0/traces/${hex(100_001, 32)}/tags/round`, { method: 'PUT', body: { value: String(i) } });
      if (put.status !== 200) failures.push(put.body);
    }
    stop = true;
    await Promise.all(senders);
    assert.deepEqual(failures, []);
    assert.ok(sent > 40, `only ${sent} transactions were sent meanwhile`);
  } finally {
    await server.stop();
  }
});
