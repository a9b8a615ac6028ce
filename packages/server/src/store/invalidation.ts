/**
 * Cache invalidation across processes. Caches above the store (the project-key cache, the
 * symbolicator) subscribe; a backend announces the changes that make a cached answer wrong (a key
 * revoked, a project deleted, source maps uploaded). SQLite has one process, so it announces in-process after the change commits. PostgreSQL
 * sends a NOTIFY inside the changing transaction (delivered to every process's listener on commit,
 * whichever process or CLI command made the change) and announces `everything` whenever its listener
 * connection drops or comes back, since notifications sent meanwhile are lost (postgres/listener.ts).
 */
export type CacheInvalidation =
  | { kind: 'project_key'; publicKey: string }
  | { kind: 'project'; projectId: number; publicKeys: string[] }
  /** An artifact bundle (source maps) was stored for the project: symbolication looks again. */
  | { kind: 'artifacts'; projectId: number }
  /** A project's fingerprint rules changed (digest/fingerprint-rules/rule-cache.ts). */
  | { kind: 'fingerprint_rules'; projectId: number }
  | { kind: 'everything' };

export type InvalidationListener = (change: CacheInvalidation) => void;

/** Parses a notification payload; anything unexpected means "drop everything" (the safe answer). */
export function parseInvalidation(payload: string | undefined): CacheInvalidation {
  try {
    const value = JSON.parse(payload ?? '') as Partial<CacheInvalidation> & Record<string, unknown>;
    if (value.kind === 'project_key' && typeof value.publicKey === 'string') return { kind: 'project_key', publicKey: value.publicKey };
    if (value.kind === 'artifacts' && typeof value.projectId === 'number') return { kind: 'artifacts', projectId: value.projectId };
    if (value.kind === 'project' && typeof value.projectId === 'number' && Array.isArray(value.publicKeys)) {
      return { kind: 'project', projectId: value.projectId, publicKeys: value.publicKeys.filter((k): k is string => typeof k === 'string') };
    }
    if (value.kind === 'fingerprint_rules' && typeof value.projectId === 'number') return { kind: 'fingerprint_rules', projectId: value.projectId };
  } catch {
    // fall through
  }
  return { kind: 'everything' };
}

export class InvalidationHub {
  private readonly listeners = new Set<InvalidationListener>();

  subscribe(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: CacheInvalidation): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A cache's bug must not stop the others from hearing the change.
      }
    }
  }
}

/** Runs named critical sections one at a time inside this process (SQLite: one process per data directory). */
export class LocalLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => {});
    this.tails.set(name, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}
