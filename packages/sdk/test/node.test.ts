import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import express from 'express';
import * as Proliferate from '../src/node/index.js';
import { startReceiver, type Receiver } from './receiver.js';

function runFixture(dsn: string, mode: string): Promise<{ code: number | null; stderr: string }> {
  const script = fileURLToPath(new URL('./fixtures/crash.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dsn, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('process-level capture (child processes)', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test('an uncaught exception is sent, then the process prints it and exits with code 1 as Node would', async () => {
    const { code, stderr } = await runFixture(receiver.dsn, 'uncaught');
    assert.equal(code, 1);
    assert.match(stderr, /Error: job exploded/);
    const event = receiver.events().find((e) => e.exception?.values.at(-1).value === 'job exploded');
    assert.ok(event, 'the event reached the server before exit');
    assert.equal(event.level, 'fatal');
    assert.deepEqual(event.exception.values.at(-1).mechanism, { type: 'onuncaughtexception', handled: false });
    assert.equal(event.tags.service, 'worker');
    assert.match(event.exception.values.at(-1).stacktrace.frames.at(-1).function, /processJob$/);
  });

  test('an unhandled rejection is sent, then the process exits with code 1 (Node 20 default: throw)', async () => {
    const { code } = await runFixture(receiver.dsn, 'rejection');
    assert.equal(code, 1);
    const event = receiver.events().find((e) => e.exception?.values.at(-1).value === 'promise rejected');
    assert.ok(event);
    assert.equal(event.exception.values.at(-1).mechanism.type, 'onunhandledrejection');
  });

  test('a script that ends without calling flush still delivers its events', async () => {
    const { code } = await runFixture(receiver.dsn, 'exit-normally');
    assert.equal(code, 0);
    assert.ok(receiver.events().some((e) => e.message === 'finished with a warning' && e.level === 'warning'));
  });
});

describe('Node transport and breadcrumbs (in process)', () => {
  let receiver: Receiver;
  let upstream: http.Server;
  let upstreamUrl: string;
  before(async () => {
    receiver = await startReceiver();
    Proliferate.init({ dsn: receiver.dsn, transportOptions: { retryBaseDelay: 10 } });
    upstream = http.createServer((req, res) => res.writeHead(req.url === '/missing' ? 404 : 200).end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(async () => {
    await Proliferate.close(1000);
    await receiver.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  test('envelopes above 32 KiB are gzipped, smaller ones are not', async () => {
    const big = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`blob${i}`, 'x'.repeat(8000)]));
    Proliferate.captureMessage('big one', { extra: big });
    Proliferate.captureMessage('small one');
    assert.equal(await Proliferate.flush(2000), true);
    const bigRequest = receiver.received.find((r) => r.items[0]?.payload.message === 'big one')!;
    const smallRequest = receiver.received.find((r) => r.items[0]?.payload.message === 'small one')!;
    assert.equal(bigRequest.headers['content-encoding'], 'gzip');
    assert.ok(bigRequest.bytes < 32 * 1024, 'the compressed body is what went over the wire');
    assert.equal(smallRequest.headers['content-encoding'], undefined);
    assert.equal(smallRequest.headers['content-type'], 'application/x-sentry-envelope');
  });

  test('a 503 from the server is retried and the event still arrives', async () => {
    receiver.respond(503);
    Proliferate.captureMessage('survives a restart');
    await new Promise((resolve) => setTimeout(resolve, 30));
    receiver.respond(200);
    assert.equal(await Proliferate.flush(5000), true);
    const copies = receiver.received.filter((r) => r.items[0]?.payload.message === 'survives a restart');
    assert.ok(copies.length >= 2, 'sent again after the 503');
  });

  test('outgoing http and fetch calls and console output become breadcrumbs of the request that made them', async () => {
    await Proliferate.withIsolationScope(async () => {
      console.log('loading user %d', 42);
      await new Promise<void>((resolve) => http.get(`${upstreamUrl}/users/42?token=s3cret`, (res) => res.resume().on('end', resolve)));
      await (await fetch(`${upstreamUrl}/missing`)).text();
      Proliferate.captureException(new Error('with crumbs'));
    });
    Proliferate.captureException(new Error('without crumbs'));
    assert.equal(await Proliferate.flush(2000), true);
    const withCrumbs = receiver.events().find((e) => e.exception?.values[0].value === 'with crumbs');
    const withoutCrumbs = receiver.events().find((e) => e.exception?.values[0].value === 'without crumbs');
    const crumbs = withCrumbs.breadcrumbs as Array<{ category: string; message?: string; level: string; data?: Record<string, unknown> }>;
    assert.ok(crumbs.some((b) => b.category === 'console' && b.message === 'loading user 42'));
    const httpCrumb = crumbs.find((b) => b.category === 'http')!;
    assert.equal(httpCrumb.data!.url, `${upstreamUrl}/users/42?token=[Filtered]`);
    assert.equal(httpCrumb.data!.status_code, 200);
    const fetchCrumb = crumbs.find((b) => b.category === 'fetch')!;
    assert.equal(fetchCrumb.data!.status_code, 404);
    assert.equal(fetchCrumb.level, 'warning');
    assert.ok(!crumbs.some((b) => String(b.data?.url ?? '').includes('/envelope/')), 'no breadcrumbs for our own envelopes');
    assert.ok(!(withoutCrumbs.breadcrumbs ?? []).some((b: { category: string }) => b.category === 'fetch'), 'crumbs stay with their request');
  });

  test('a plain node:http handler wrapped with wrapRequestHandler reports its errors with the request', async () => {
    const handler = Proliferate.wrapRequestHandler(async (_req: http.IncomingMessage, res: http.ServerResponse) => {
      Proliferate.setTag('route', 'boom');
      res.writeHead(500).end();
      throw new Error('handler failed');
    });
    // The wrapper passes the rejection on, as the handler alone would; here it is caught.
    const server = http.createServer((req, res) => void (handler(req, res) as Promise<unknown>).catch(() => {}));
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      await (await fetch(`http://127.0.0.1:${port}/boom?x=1`, { headers: { cookie: 'a=b' } })).text();
      assert.equal(await Proliferate.flush(2000), true);
      const event = receiver.events().find((e) => e.exception?.values[0].value === 'handler failed');
      assert.ok(event);
      assert.equal(event.tags.route, 'boom');
      assert.equal(event.request.method, 'GET');
      assert.equal(event.request.url, `http://127.0.0.1:${port}/boom`);
      assert.equal(event.request.query_string, 'x=1');
      assert.equal(event.request.headers.cookie, undefined);
      assert.equal(event.transaction, 'GET /boom');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a request that carries sentry-trace or traceparent continues that trace', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(Proliferate.getTraceId());
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const traceId = 'aa'.repeat(16);
      await (await fetch(url, { headers: { 'sentry-trace': `${traceId}-${'b'.repeat(16)}-1` } })).text();
      await (await fetch(url, { headers: { traceparent: `00-${'cd'.repeat(16)}-${'e'.repeat(16)}-01` } })).text();
      await (await fetch(url)).text();
      await (await fetch(url)).text();
      assert.equal(seen[0], traceId);
      assert.equal(seen[1], 'cd'.repeat(16));
      assert.notEqual(seen[2], seen[3], 'otherwise each request starts its own trace');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

test('calling init again replaces the client without undoing the new integrations', async () => {
  const first = await startReceiver();
  const second = await startReceiver();
  try {
    Proliferate.init({ dsn: first.dsn });
    Proliferate.init({ dsn: second.dsn });
    await new Promise((resolve) => setTimeout(resolve, 10));
    console.info('after re-init');
    Proliferate.captureException(new Error('goes to the second'));
    assert.equal(await Proliferate.flush(2000), true);
    const event = second.events().find((e) => e.exception?.values[0].value === 'goes to the second');
    assert.ok(event);
    assert.ok(event.breadcrumbs.some((b: { message?: string }) => b.message === 'after re-init'), 'console is still wrapped');
    assert.equal(first.events().length, 0);
  } finally {
    await Proliferate.close(1000);
    await first.close();
    await second.close();
  }
});

test('a hand-written body reader on bodies that arrive in pieces still writes to its own request (30 concurrent)', async () => {
  const receiver = await startReceiver();
  Proliferate.init({ dsn: receiver.dsn, defaultIntegrations: false });
  const app = express();
  app.use(Proliferate.expressRequestHandler());
  app.use((req, _res, next) => {
    // no AsyncResource binding here, as in many body parsers
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk));
    req.on('end', () => {
      req.body = JSON.parse(raw);
      next();
    });
  });
  app.post('/orders/:n', (req) => {
    Proliferate.setTag('path_n', req.params.n);
    Proliferate.setTag('body_n', String((req.body as { n: number }).n));
    throw new Error('slow body order failed');
  });
  Proliferate.setupExpressErrorHandler(app);
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  const port = (listener.address() as AddressInfo).port;
  const slowPost = (n: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ n, padding: 'x'.repeat(100) });
      const req = http.request(
        { host: '127.0.0.1', port, path: `/orders/${n}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => res.resume().on('end', resolve),
      );
      req.flushHeaders();
      // the body in two packets, some milliseconds apart
      setTimeout(() => {
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 10 + Math.random() * 10);
      }, 10);
    });
  try {
    await Promise.all(Array.from({ length: 30 }, (_, n) => slowPost(n)));
    assert.equal(await Proliferate.flush(3000), true);
    const events = receiver.events().filter((e) => e.exception?.values[0].value === 'slow body order failed');
    assert.equal(events.length, 30);
    for (const event of events) {
      assert.equal(event.tags.body_n, event.tags.path_n);
      assert.ok(event.request.url.endsWith(`/orders/${event.tags.path_n}`));
    }
  } finally {
    await new Promise((resolve) => listener.close(resolve));
    await Proliferate.close(1000);
    await receiver.close();
  }
});
