/**
 * Browser ids with in-memory stand-ins for sessionStorage (per tab) and localStorage (per
 * browser). Each "tab" is a fresh copy of the module, as each page load would be.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

class MemoryStorage {
  private data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

const globals = globalThis as unknown as { sessionStorage?: MemoryStorage; localStorage?: MemoryStorage };
let loads = 0;

/** Loads the ids module as a page in a tab with this sessionStorage would. */
async function pageLoad(tab: MemoryStorage, browser: MemoryStorage) {
  globals.sessionStorage = tab;
  globals.localStorage = browser;
  return (await import(`../src/browser/ids.ts?load=${++loads}`)) as typeof import('../src/browser/ids.js');
}

test('a tab keeps its window id and session id across reloads', async () => {
  const browser = new MemoryStorage();
  const tab = new MemoryStorage();
  const first = await pageLoad(tab, browser);
  const ids = { window: first.getBrowserWindowId(), session: first.getBrowserSessionId() };
  const reloaded = await pageLoad(tab, browser);
  assert.deepEqual({ window: reloaded.getBrowserWindowId(), session: reloaded.getBrowserSessionId() }, ids);
});

test('a second tab gets its own window id and shares the session while it is active', async () => {
  const browser = new MemoryStorage();
  const first = await pageLoad(new MemoryStorage(), browser);
  const firstIds = { window: first.getBrowserWindowId(), session: first.getBrowserSessionId() };
  const second = await pageLoad(new MemoryStorage(), browser);
  assert.notEqual(second.getBrowserWindowId(), firstIds.window);
  assert.equal(second.getBrowserSessionId(), firstIds.session);
});

test('after 30 idle minutes a new tab starts a new session', async () => {
  const browser = new MemoryStorage();
  const now = Date.now();
  const first = await pageLoad(new MemoryStorage(), browser);
  const old = first.getBrowserSessionId(now);
  const later = await pageLoad(new MemoryStorage(), browser);
  assert.notEqual(later.getBrowserSessionId(now + first.SESSION_IDLE_MS + 1000), old);
});

test('without storage (blocked cookies) ids still exist for the page', async () => {
  delete globals.sessionStorage;
  delete globals.localStorage;
  const page = (await import(`../src/browser/ids.ts?load=${++loads}`)) as typeof import('../src/browser/ids.js');
  assert.match(page.getBrowserWindowId(), /^[0-9a-f]{32}$/);
  assert.match(page.getBrowserSessionId(), /^[0-9a-f]{32}$/);
});
