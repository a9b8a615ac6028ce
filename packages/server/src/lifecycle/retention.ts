/**
 * The background retention pass (docs/operations.md#retention): every interval, for each project,
 * deletes what is older than its retention (the project's own setting, else the server-wide
 * default), then, when the project has a storage budget and is over it, its oldest data an hour
 * at a time until it fits; then gives freed space back (SQLite). Everything goes in small batches
 * with a pause between them (lifecycle/batches.ts), so ingest is never stalled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetentionConfig } from '../config.js';
import type { Store } from '../store/types.js';
import { runBatches } from './batches.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface PassReport {
  projects: number;
  events: number;
  other: number;
  /** Projects that were over their storage budget at the start of the pass. */
  overBudget: number[];
  /** Shared rate-limit buckets pruned (store/ingest-policy-types.ts). */
  rateBuckets: number;
}

export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassReport> | null = null;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly config: RetentionConfig,
    private readonly log: (error: unknown, what: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.runOnce().catch((error) => this.log(error, 'retention pass'));
        if (!this.stopping) tick();
      }, this.config.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every project; a pass already under way is joined rather than doubled. */
  runOnce(): Promise<PassReport> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<PassReport> {
    const report: PassReport = { projects: 0, events: 0, other: 0, overBudget: [], rateBuckets: 0 };
    const stopped = () => this.stopping;
    for (const project of await this.store.listProjects()) {
      if (this.stopping) break;
      report.projects++;
      const settings = await this.store.getProjectRetention(project.id);
      const days = settings.retentionDays ?? this.config.defaultDays;
      const cutoff = this.now() - days * DAY;
      const purged = await runBatches(() => this.store.purgeOlderThan(project.id, cutoff, this.config.batchSize), this.config.pauseMs, stopped);
      report.events += purged.events;
      report.other += purged.other;
      if (settings.storageBudgetBytes !== null) await this.enforceBudget(project.id, settings.storageBudgetBytes, report);
    }
    if (report.events + report.other > 0) await this.reclaimSpace();
    // Shared rate-limit buckets of deleted projects, revoked keys, or refilled and idle for an hour.
    if (!this.stopping) report.rateBuckets = await this.store.pruneRateBuckets();
    return report;
  }

  /**
   * Gives the freed pages back a few MiB at a time, pausing between steps like the deletions
   * (only one step used to run per pass: 32 MiB, while a purge of 1,000,000 events frees ~1.2 GB).
   */
  private async reclaimSpace(): Promise<void> {
    let left = await this.store.reclaimSpace();
    while (left > 0 && !this.stopping) {
      await sleep(this.config.pauseMs);
      const now = await this.store.reclaimSpace();
      if (now >= left) return;
      left = now;
    }
  }

  /** Oldest data first, an hour (or a twentieth of what is kept, if more) at a time, until the project fits. */
  private async enforceBudget(projectId: number, budget: number, report: PassReport): Promise<void> {
    let first = true;
    while (!this.stopping && (await this.store.projectStorageBytes(projectId)) > budget) {
      if (first) report.overBudget.push(projectId);
      first = false;
      const oldest = await this.store.oldestDataTime(projectId);
      if (oldest === null) return;
      const cutoff = oldest + Math.max(HOUR, Math.floor((this.now() - oldest) / 20));
      const purged = await runBatches(() => this.store.purgeOlderThan(projectId, cutoff, this.config.batchSize), this.config.pauseMs, () => this.stopping);
      report.events += purged.events;
      report.other += purged.other;
      if (purged.events + purged.other === 0 && cutoff > this.now()) return;
    }
  }
}
