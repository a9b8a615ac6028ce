import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isPrivateAddress, OutboundRefused, postJson } from './outbound-http.js';

test('loopback, private, link-local and mapped addresses are private; public ones are not', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
});

test('a webhook to a name or address that resolves to loopback is refused unless private targets are allowed', async () => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await assert.rejects(postJson(`http://127.0.0.1:${port}/`, '{}', {}, { allowPrivate: false }), OutboundRefused);
    await assert.rejects(postJson(`http://localhost:${port}/`, '{}', {}, { allowPrivate: false }), /private address/);
    assert.equal(hits, 0, 'no request left the process');
    const allowed = await postJson(`http://localhost:${port}/`, '{}', {}, { allowPrivate: true });
    assert.deepEqual([allowed.status, allowed.body, hits], [200, 'ok', 1]);
  } finally {
    server.close();
  }
});

test('a receiver that never answers times out, and a huge answer is cut at the size limit', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.end('x'.repeat(1024 * 1024));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await assert.rejects(postJson(`http://127.0.0.1:${port}/slow`, '{}', {}, { allowPrivate: true, timeoutMs: 300 }));
    const big = await postJson(`http://127.0.0.1:${port}/big`, '{}', {}, { allowPrivate: true });
    assert.ok(big.body.length <= 64 * 1024);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
