import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { SqliteStore } from '../../store/sqlite/store.js';
import { FingerprintRuleCache } from './rule-cache.js';

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the cache loads stored rules, follows changes announced by the store, and skips a text that no longer parses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proliferate-rule-cache-'));
  const store = new SqliteStore({ dataDir: dir });
  const logged: string[] = [];
  const log = { error: (_: unknown, message: string) => logged.push(message), warn: (_: unknown, message: string) => logged.push(message) } as unknown as FastifyBaseLogger;
  const cache = new FingerprintRuleCache(store, log);
  try {
    const a = (await store.createProject({ name: 'Cache A' })).id;
    const b = (await store.createProject({ name: 'Cache B' })).id;
    await store.putFingerprintRules(a, 'type:A -> a\ntype:B -> b');
    await cache.start();
    assert.deepEqual(cache.for(a).map((r) => r.line), [1, 2], 'loaded at start');
    assert.deepEqual(cache.for(b), []);

    // A change made by someone else (the CLI, another process) is announced and picked up.
    await store.putFingerprintRules(b, 'level:fatal -> fatal');
    await until('project B has its rule', () => cache.for(b).length === 1);
    const parsedA = cache.for(a);
    await cache.refresh();
    assert.equal(cache.for(a), parsedA, 'an unchanged text is not parsed again');

    await store.putFingerprintRules(a, '');
    await until('project A has no rules', () => cache.for(a).length === 0);

    // Stored past the API (which refuses it): default grouping applies and the error is logged.
    await store.putFingerprintRules(b, 'colour:red -> x');
    await until('the bad text is dropped', () => cache.for(b).length === 0);
    assert.ok(logged.some((m) => /do not parse/.test(m)));

    // This process's own change applies at once, before any announcement is handled.
    cache.set(await store.putFingerprintRules(a, 'type:C -> c'));
    assert.equal(cache.for(a)[0]?.text, 'type:C -> c');
  } finally {
    cache.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
