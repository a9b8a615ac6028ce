import type { Store } from '../store/types.js';

/** How long a hit is trusted without hearing of a change: the bound while invalidations are not heard. */
export const KEY_CACHE_TTL_MS = 10_000;
const TTL_MS = KEY_CACHE_TTL_MS;

/**
 * Remembers which public key belongs to which project for a few seconds, so the ingest hot path
 * does not query for every request. Only hits are cached: a key created a moment ago by the CLI
 * works at once. A revoked key or deleted project is dropped as soon as the store announces it
 * (on PostgreSQL from any process, by LISTEN/NOTIFY: store/invalidation.ts); should that channel be
 * down, a stale hit lives at most the TTL.
 */
export class ProjectKeyCache {
  private readonly keys = new Map<string, { projectId: number; until: number }>();
  private readonly projects = new Map<number, number>();

  constructor(private readonly store: Store) {
    store.onInvalidation((change) => {
      if (change.kind === 'project_key') this.keys.delete(change.publicKey);
      else if (change.kind === 'project') {
        this.projects.delete(change.projectId);
        for (const key of change.publicKeys) this.keys.delete(key);
      } else if (change.kind === 'everything') {
        this.keys.clear();
        this.projects.clear();
      }
    });
  }

  /** The project of a key remembered and still fresh, without a query; undefined if not remembered. */
  cachedProjectForKey(publicKey: string): number | undefined {
    const hit = this.keys.get(publicKey);
    return hit && hit.until > Date.now() ? hit.projectId : undefined;
  }

  /** Whether the project is remembered as existing, without a query. */
  cachedProjectExists(projectId: number): boolean {
    const until = this.projects.get(projectId);
    return until !== undefined && until > Date.now();
  }

  async projectForKey(publicKey: string): Promise<number | undefined> {
    const now = Date.now();
    const cached = this.cachedProjectForKey(publicKey);
    if (cached !== undefined) return cached;
    const projectId = await this.store.findProjectByKey(publicKey);
    if (projectId === undefined) this.keys.delete(publicKey);
    else {
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(publicKey, { projectId, until: now + TTL_MS });
    }
    return projectId;
  }

  /** Drops a revoked key at once in this process (other processes see it within the TTL). */
  forget(publicKey: string): void {
    this.keys.delete(publicKey);
  }

  async projectExists(projectId: number): Promise<boolean> {
    if (this.cachedProjectExists(projectId)) return true;
    const exists = (await this.store.getProject(projectId)) !== undefined;
    if (exists) this.projects.set(projectId, Date.now() + TTL_MS);
    return exists;
  }
}
