import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

/**
 * Seed 000 "compare error rates between flag variants" under a filter. Transactions are sent as
 * Sentry SDKs send them: the environment at the top of the event, not among the tags.
 *
 *   transactions (flag_variant, environment, tier)      errors
 *   a production enterprise  x3                         x6
 *   a production free        x2                         x3
 *   a staging    free        x4                         x2
 *   b production enterprise  x1                         x4
 *   b staging    free        x2                         x1
 */
let server: RunningServer;
const ROWS: Array<[variant: string, environment: string, tier: string, transactions: number, errors: number]> = [
  ['a', 'production', 'enterprise', 3, 6],
  ['a', 'production', 'free', 2, 3],
  ['a', 'staging', 'free', 4, 2],
  ['b', 'production', 'enterprise', 1, 4],
  ['b', 'staging', 'free', 2, 1],
];

async function envelope(type: string, item: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, {
    method: 'POST',
    body: `{}\n{"type":"${type}"}\n${JSON.stringify(item)}\n`,
  });
  assert.equal(res.status, 200);
}

before(async () => {
  server = await startServer();
  const now = Date.now() / 1000;
  for (const [variant, environment, tier, transactions, errors] of ROWS) {
    for (let i = 0; i < transactions; i++) {
      await envelope('transaction', {
        type: 'transaction',
        transaction: `checkout ${variant}`,
        start_timestamp: now - 1,
        timestamp: now,
        environment,
        tags: { flag_variant: variant, tier },
        contexts: { trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex'), op: 'http.server' } },
      });
    }
    for (let i = 0; i < errors; i++) {
      await envelope('event', {
        event_id: randomUUID().replace(/-/g, ''),
        timestamp: now,
        environment,
        exception: { values: [{ type: 'CheckoutError', value: 'declined' }] },
        tags: { flag_variant: variant, tier },
      });
    }
  }
});
after(async () => {
  await server.stop();
});

async function compare(params: string) {
  const { status, body } = await server.api(`/api/0/projects/${server.projectId}/tags/flag_variant/compare/?${params}`);
  assert.equal(status, 200, JSON.stringify(body));
  return {
    notApplied: body.transactionsNotFilteredBy as string[],
    figures: Object.fromEntries(body.variants.map((v: any) => [v.value, [v.events, v.transactions, v.errorRate]])),
  };
}

test('compare without a filter: every error over every transaction of each variant', async () => {
  // a: 6+3+2 = 11 errors over 3+2+4 = 9 transactions; b: 4+1 = 5 over 1+2 = 3.
  assert.deepEqual((await compare('')).figures, { a: [11, 9, 1.2222], b: [5, 3, 1.6667] });
});

test('the environment parameter narrows the transactions too (environment sent outside the tags)', async () => {
  // production: a 6+3 = 9 over 3+2 = 5; b 4 over 1.
  assert.deepEqual((await compare('environment=production')).figures, { a: [9, 5, 1.8], b: [4, 1, 4] });
  // staging: a 2 over 4; b 1 over 2.
  assert.deepEqual((await compare('environment=staging')).figures, { a: [2, 4, 0.5], b: [1, 2, 0.5] });
});

test('a tag query narrows the transactions the same way, combined with the environment', async () => {
  // tier:enterprise: a 6 over 3, b 4 over 1.
  assert.deepEqual((await compare(`query=${encodeURIComponent('tier:enterprise')}`)).figures, { a: [6, 3, 2], b: [4, 1, 4] });
  // tier:free in production: a 3 over 2; b has neither.
  const { figures, notApplied } = await compare(`environment=production&query=${encodeURIComponent('tier:free')}`);
  assert.deepEqual(figures, { a: [3, 2, 1.5] });
  assert.deepEqual(notApplied, []);
  // An OR of tag conditions applies to transactions as a whole.
  const either = await compare(`query=${encodeURIComponent('tier:enterprise OR environment:staging')}`);
  // a: 6+2 = 8 over 3+4 = 7; b: 4+1 = 5 over 1+2 = 3.
  assert.deepEqual(either.figures, { a: [8, 7, 1.1429], b: [5, 3, 1.6667] });
});

test('conditions that transactions cannot carry are named, and the tag part still applies', async () => {
  const { figures, notApplied } = await compare(`environment=production&query=${encodeURIComponent('error.type:CheckoutError tier:enterprise')}`);
  assert.deepEqual(figures, { a: [6, 3, 2], b: [4, 1, 4] });
  assert.deepEqual(notApplied, ['error.type']);
});
