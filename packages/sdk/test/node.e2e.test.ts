/**
 * The Node SDK against the real server: events land grouped with the right tags, and under 100
 * concurrent requests through Express and through Fastify each event carries only its own tags.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import * as Proliferate from '../src/node/index.js';
import { issueEvents, issuesTotalling, issueWithCount } from './e2e-helpers.js';

let server: RunningServer;

before(async () => {
  server = await startServer();
  Proliferate.init({ dsn: server.dsn, environment: 'e2e', release: 'shop@1.2.3', transportOptions: { retryBaseDelay: 50 } });
  // persistent tags at start-up (seed 000): on every event, in and out of requests
  Proliferate.setTag('service', 'payment-api');
});

after(async () => {
  await Proliferate.close(2000);
  await server?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chargeCard(): never {
  throw new TypeError('card declined by issuer');
}
function checkout(tier: string): void {
  try {
    chargeCard();
  } catch (error) {
    Proliferate.captureException(error, { tags: { subscription_tier: tier }, extra: { password: 'hunter2', order: 7 } });
  }
}

describe('Node SDK against the server', () => {
  test('errors from the same place group into one issue and keep each capture its own tags', async () => {
    checkout('free');
    checkout('enterprise');
    Proliferate.captureException(new RangeError('amount out of range'));
    assert.equal(await Proliferate.flush(5000), true);

    const issue = await issueWithCount(server, 'card declined by issuer', 2);
    assert.equal(issue.count, 2);
    await issueWithCount(server, 'amount out of range', 1);
    const events = await issueEvents(server, issue.id);
    assert.deepEqual(events.map((e) => e.tags.subscription_tier).sort(), ['enterprise', 'free']);
    for (const event of events) {
      assert.equal(event.tags.service, 'payment-api');
      assert.equal(event.tags.environment, 'e2e');
      assert.equal(event.tags.release, 'shop@1.2.3');
      assert.equal(event.extra.password, '[Filtered]');
      assert.match(event.traceId ?? '', /^[0-9a-f]{32}$/);
      assert.equal(event.sessionId, Proliferate.getSessionId());
      assert.deepEqual(event.processingErrors, []);
      const frames = event.exception!.values.at(-1)!.stacktrace!.frames;
      assert.equal(frames.at(-1)!.function, 'chargeCard');
      assert.match(String(frames.at(-1)!.context_line), /throw new TypeError/);
    }
  });
});

describe('tags the SDK drops', () => {
  test('an invalid tag key or value is dropped, and the drop is shown on the event as the server shows its own', async () => {
    class TagDropError extends Error {
      override name = 'TagDropError';
    }
    Proliferate.withScope((scope) => {
      scope.setTag('bad key!', 'x');
      scope.setTag('note', 'two\nlines');
      scope.setTag('fixed', '');
      scope.setTag('fixed', 'later valid'); // a valid value replaces the earlier drop
      Proliferate.captureException(new TagDropError('tag drop'), { tags: { ['k'.repeat(40)]: 'v', plan: 'pro' } });
    });
    assert.equal(await Proliferate.flush(5000), true);
    const issue = await issueWithCount(server, 'tag drop', 1);
    const [event] = await issueEvents(server, issue.id);
    assert.equal(event!.tags.plan, 'pro');
    assert.equal(event!.tags.fixed, 'later valid');
    assert.equal(event!.tags['bad key!'], undefined);
    assert.deepEqual(
      [...event!.processingErrors].sort((a, b) => String(a.key).localeCompare(String(b.key))),
      [
        { type: 'invalid_tag', key: 'bad key!', reason: 'key_invalid_characters', value: 'x' },
        { type: 'invalid_tag', key: 'k'.repeat(40), reason: 'key_too_long', value: 'v' },
        { type: 'invalid_tag', key: 'note', reason: 'value_has_newline', value: 'two\nlines' },
      ],
    );
  });
});

interface OrderBody {
  client: string;
}

class ExpressOrderError extends Error {
  override name = 'ExpressOrderError';
}
class FastifyOrderError extends Error {
  override name = 'FastifyOrderError';
}

/** Each request sets tags before and after an await and after body parsing, then fails. */
async function handleOrder(framework: string, n: string, body: OrderBody): Promise<never> {
  Proliferate.setTag('request_n', n);
  Proliferate.setTag('client_type', body.client);
  Proliferate.addBreadcrumb({ category: 'order', message: `order ${n}` });
  await sleep(Math.random() * 20);
  Proliferate.setTag('after_await', n);
  throw framework === 'express' ? new ExpressOrderError('order failed') : new FastifyOrderError('order failed');
}

async function fireConcurrentOrders(baseUrl: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const response = await fetch(`${baseUrl}/${n}?token=secret-${n}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer abc', cookie: 'sid=1' },
        body: JSON.stringify({ client: `client-${n}` }),
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

async function assertEachEventHasOnlyItsOwnTags(errorType: string, framework: string): Promise<void> {
  assert.equal(await Proliferate.flush(10_000), true);
  // One throw site, one issue: the SDK leaves out the event-loop frames below an await, which vary
  // with the queue that resumed the handler and split this into 3 issues before.
  const issues = await issuesTotalling(server, errorType, 100);
  assert.deepEqual(issues.map((i) => i.count), [100], 'the 100 events form one issue');
  const events = (await Promise.all(issues.map((issue) => issueEvents(server, issue.id)))).flat();
  assert.equal(events.length, 100);
  const seen = new Set<string>();
  for (const event of events) {
    const n = event.tags.request_n!;
    assert.ok(n !== undefined, 'the request tag is on the event');
    seen.add(n);
    assert.equal(event.tags.after_await, n, 'a tag set after an await belongs to the same request');
    assert.equal(event.tags.client_type, `client-${n}`, 'a tag set after body parsing belongs to the same request');
    assert.equal(event.tags.service, 'payment-api');
    assert.equal(event.tags.framework, framework);
    const orders = event.breadcrumbs.filter((b) => b.category === 'order').map((b) => b.message);
    assert.deepEqual(orders, [`order ${n}`]);
    assert.equal(event.request!.method, 'POST');
    assert.equal(event.request!.headers!.authorization, undefined);
    assert.equal(event.request!.headers!.cookie, undefined);
    assert.match(event.request!.url!, new RegExp(`/orders/${n}$`));
  }
  assert.equal(seen.size, 100, 'every request produced exactly one event');
  const traces = new Set(events.map((e) => e.traceId));
  assert.equal(traces.size, 100, 'each request has its own trace id');
}

describe('100 concurrent requests', () => {
  test('through Express each event carries only its own request tags', async () => {
    const app = express();
    app.use(Proliferate.expressRequestHandler());
    app.use(express.json());
    app.use((_req, _res, next) => {
      Proliferate.setTag('framework', 'express');
      next();
    });
    app.post('/orders/:n', (req) => handleOrder('express', req.params.n, req.body as OrderBody));
    Proliferate.setupExpressErrorHandler(app);
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).end();
    });
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    try {
      const statuses = await fireConcurrentOrders(`http://127.0.0.1:${(listener.address() as AddressInfo).port}/orders`, 100);
      assert.deepEqual(new Set(statuses), new Set([500]));
      await assertEachEventHasOnlyItsOwnTags('ExpressOrderError', 'express');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  test('through Fastify each event carries only its own request tags', async () => {
    const app = Fastify();
    Proliferate.setupFastifyErrorHandler(app);
    app.addHook('preHandler', async () => {
      Proliferate.setTag('framework', 'fastify');
    });
    app.post('/orders/:n', async (request) => {
      const { n } = request.params as { n: string };
      return handleOrder('fastify', n, request.body as OrderBody);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (app.server.address() as AddressInfo).port;
      const statuses = await fireConcurrentOrders(`http://127.0.0.1:${port}/orders`, 100);
      assert.deepEqual(new Set(statuses), new Set([500]));
      await assertEachEventHasOnlyItsOwnTags('FastifyOrderError', 'fastify');
    } finally {
      await app.close();
    }
  });
});
