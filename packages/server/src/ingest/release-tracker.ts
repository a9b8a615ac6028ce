/**
 * Releases as ingest sees them: the first event naming a release creates it (its creation order is
 * what "later release" means), and an event of a later release reopens an issue resolved in an
 * earlier one (regression). Both run on this thread, around the writer: release ids are cached so
 * only an event of an unseen release waits for an insert, and the issues resolved by release are
 * kept in memory (refreshed every few seconds, updated at once by this process's API) so an
 * ordinary event pays one Map lookup.
 */
import type { DigestedEvent, Store, WriteOutcome } from '../store/types.js';

const RELEASE_CACHE_LIMIT = 50_000;
const REFRESH_MS = 3_000;

export class ReleaseTracker {
  private readonly ids = new Map<string, number>();
  private resolved = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Picks up resolutions made by other processes (the CLI, a second server). */
  async refresh(): Promise<void> {
    this.resolved = await this.store.releaseResolvedIssues();
  }

  /** This process's API resolved (floor = release id) or reopened (null) an issue. */
  noteResolution(issueId: number, floor: number | null): void {
    if (floor === null) this.resolved.delete(issueId);
    else this.resolved.set(issueId, floor);
  }

  /** Release ids of the events (null without a release), creating releases seen for the first time. */
  releaseIds(events: DigestedEvent[]): Array<number | null> | Promise<Array<number | null>> {
    let missing = false;
    const ids = events.map((event) => {
      if (event.release === null) return null;
      const id = this.ids.get(`${event.projectId}\u0000${event.release}`);
      if (id === undefined) missing = true;
      return id ?? null;
    });
    return missing ? this.createMissing(events) : ids;
  }

  private async createMissing(events: DigestedEvent[]): Promise<Array<number | null>> {
    const ids: Array<number | null> = [];
    for (const event of events) {
      if (event.release === null) {
        ids.push(null);
        continue;
      }
      const key = `${event.projectId}\u0000${event.release}`;
      let id = this.ids.get(key);
      if (id === undefined) {
        id = await this.store.ensureRelease(event.projectId, event.release, event.received);
        if (this.ids.size >= RELEASE_CACHE_LIMIT) this.ids.clear();
        this.ids.set(key, id);
      }
      ids.push(id);
    }
    return ids;
  }

  /** After a commit: reopens the release-resolved issues that an event of a later release reached. */
  afterWrite(releaseIds: Array<number | null>, outcomes: WriteOutcome[]): Promise<void> | null {
    if (this.resolved.size === 0) return null;
    const hits: Array<{ issueId: number; releaseId: number | null }> = [];
    outcomes.forEach((outcome, i) => {
      const floor = this.resolved.get(outcome.issueId);
      const releaseId = releaseIds[i] ?? null;
      if (outcome.inserted && floor !== undefined && releaseId !== null && releaseId > floor) hits.push({ issueId: outcome.issueId, releaseId });
    });
    if (hits.length === 0) return null;
    return this.store.reopenRegressions(hits).then((reopened) => {
      for (const id of reopened) this.resolved.delete(id);
    });
  }
}
