/** Which map answers a lookup (by debug ID, or by release + URL), remembered for a while. */

export interface MapRef {
  id: number;
  url: string;
}

/** Lookups answered recently: a found map for 5 minutes, a missing one for 10 seconds (uploads may follow). */
export class LookupCache {
  private readonly entries = new Map<string, { ref: MapRef | null; until: number }>();
  get(key: string, now: number): MapRef | null | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.until < now) return undefined;
    return hit.ref;
  }
  set(key: string, ref: MapRef | null, now: number): void {
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(key, { ref, until: now + (ref ? 300_000 : 10_000) });
  }
  clear(): void {
    this.entries.clear();
  }
  /**
   * After an upload to the project: its "no map" answers and its release + URL answers (a newer
   * upload of the same release wins) go; a map found by debug ID stays right (one ID, one build).
   */
  forgetProject(projectId: number): void {
    const prefix = `${projectId}\u0000`;
    for (const [key, hit] of this.entries) {
      if (key.startsWith(prefix) && (hit.ref === null || !key.startsWith(`${prefix}d\u0000`))) this.entries.delete(key);
    }
  }
}
