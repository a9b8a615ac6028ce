/**
 * Runs every `js` block of docs/sdk/javascript.md, in order, as one module (imports hoisted,
 * top-level const/let as var so later blocks may reuse a name), against a local stand-in for the
 * server, then checks what arrived. The docs cannot drift from the SDK.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startReceiver, type Receiver } from './receiver.js';

const docPath = new URL('../../../docs/sdk/javascript.md', import.meta.url);
const DOC_DSN = 'http://pk_default_0123456789abcdef@127.0.0.1:8000/1';

export function moduleFromDoc(markdown: string, dsn: string): string {
  const blocks = [...markdown.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const imports = new Set<string>();
  const bodies: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    bodies.push(
      lines
        .filter((line) => {
          if (/^import .* from '.*';$/.test(line)) {
            imports.add(line);
            return false;
          }
          return true;
        })
        .map((line) => line.replace(/^(const|let) /, 'var '))
        .join('\n'),
    );
  }
  return [...imports, ...bodies].join('\n').replaceAll(DOC_DSN, dsn);
}

let receiver: Receiver;
let dir: string;

before(async () => {
  receiver = await startReceiver();
  // inside the package, so '@proliferate/sdk', 'express' and 'fastify' resolve as for a user
  dir = mkdtempSync(new URL('./.docs-run-', import.meta.url).pathname);
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await receiver.close();
});

test('every js example of docs/sdk/javascript.md runs and reports what the text says', async () => {
  const source = moduleFromDoc(readFileSync(docPath, 'utf8'), receiver.dsn);
  assert.ok(source.includes(receiver.dsn), 'the examples initialise the SDK');
  const file = `${dir}/examples.mjs`;
  writeFileSync(file, source);
  const Proliferate = (await import('@proliferate/sdk')) as typeof import('../src/node/index.js');
  await import(pathToFileURL(file).href);
  assert.equal(await Proliferate.flush(5000), true);

  const events = receiver.events();
  const perError = events.find((e) => e.tags?.experiment === 'variant_b');
  assert.ok(perError, 'captureException with tags');
  assert.equal(perError.tags.tier, 'enterprise');
  assert.equal(perError.tags.service, 'payment-api', 'persistent tags from init reach every event');
  const seedForm = events.find((e) => e.extra?.experiment === 'variant_b' && !e.tags?.experiment);
  assert.ok(seedForm, "seed 000's extra form");
  const scoped = events.filter((e) => e.tags?.operation);
  assert.deepEqual(scoped.map((e) => e.tags.operation), ['user_update', 'guild_config']);
  assert.equal(scoped[1].contexts.user, undefined, 'no context leaks from the first withScope');
  const parsed = events.find((e) => e.tags?.parser === 'json');
  assert.equal(parsed.level, 'warning');
  assert.equal(parsed.contexts.webhook.provider, 'stripe');
  assert.ok(events.some((e) => e.message === 'Cache miss storm' && e.level === 'warning'));
  assert.ok(events.some((e) => e.message === 'Nightly export finished' && e.tags.job === 'export'));

  const items = receiver.received.flatMap((r) => r.items);
  const traced = items.find((i) => i.type === 'transaction' && i.payload.transaction === 'processUserRequest');
  assert.ok(traced, 'trace() sent a transaction');
  assert.equal(traced.payload.tags.priority, 'high');
  assert.equal(traced.payload.contexts.metadata.user_id, 'user_123');
  const logs = items.filter((i) => i.type === 'log').flatMap((i) => i.payload.items);
  assert.deepEqual(logs.map((l: { body: string }) => l.body), ['Payment started', 'Slow response from the payment provider', 'Payment failed']);
});
