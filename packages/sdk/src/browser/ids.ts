/**
 * Browser ids (seed 001). The window id is per tab: kept in sessionStorage, so a reload keeps it
 * and another tab gets its own. The session id is per browser session: kept in sessionStorage so
 * it persists across navigations, and shared with tabs opened within 30 minutes through
 * localStorage, so tabs of one visit share it while each keeps its own window id.
 */
import { uuid4 } from '../core/index.js';

const SESSION_KEY = 'proliferate.session';
const WINDOW_KEY = 'proliferate.window';
export const SESSION_IDLE_MS = 30 * 60 * 1000;

function storage(kind: 'sessionStorage' | 'localStorage'): Storage | undefined {
  try {
    const store = (globalThis as unknown as Record<string, Storage | undefined>)[kind];
    return store ?? undefined;
  } catch {
    return undefined; // storage can throw when cookies are blocked
  }
}

function read(store: Storage | undefined, key: string): string | null {
  try {
    return store?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(store: Storage | undefined, key: string, value: string): void {
  try {
    store?.setItem(key, value);
  } catch {
    // full or blocked storage: the id lives in memory for this page
  }
}

let windowId: string | undefined;
let sessionId: string | undefined;
let lastShared = 0;

export function getBrowserWindowId(): string {
  if (windowId) return windowId;
  const store = storage('sessionStorage');
  windowId = read(store, WINDOW_KEY) ?? uuid4();
  write(store, WINDOW_KEY, windowId);
  return windowId;
}

function sharedSession(now: number): string | undefined {
  const raw = read(storage('localStorage'), SESSION_KEY);
  if (!raw) return undefined;
  try {
    const { id, lastActivity } = JSON.parse(raw) as { id?: string; lastActivity?: number };
    return id && typeof lastActivity === 'number' && now - lastActivity < SESSION_IDLE_MS ? id : undefined;
  } catch {
    return undefined;
  }
}

export function getBrowserSessionId(now = Date.now()): string {
  if (!sessionId) {
    const tabStore = storage('sessionStorage');
    sessionId = read(tabStore, SESSION_KEY) ?? sharedSession(now) ?? uuid4();
    write(tabStore, SESSION_KEY, sessionId);
  }
  // Mark activity for other tabs, at most once a minute (storage writes are synchronous).
  if (now - lastShared > 60_000) {
    lastShared = now;
    write(storage('localStorage'), SESSION_KEY, JSON.stringify({ id: sessionId, lastActivity: now }));
  }
  return sessionId;
}
