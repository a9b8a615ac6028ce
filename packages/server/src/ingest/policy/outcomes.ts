import type { FastifyBaseLogger } from 'fastify';
import type { OutcomeCount, OutcomeKind } from '../../store/ingest-policy-types.js';
import type { Store } from '../../store/types.js';
import type { ServerMetrics } from '../../metrics.js';

const HOUR = 3_600_000;
/** How often counts reach the store: a drop costs a map update, not a write. */
const FLUSH_MS = 2000;
/** Distinct rows held between flushes; a client report naming endless reasons cannot grow memory. */
const MAX_PENDING = 10_000;

/**
 * Counts what ingest dropped (and what SDKs report dropping) in memory and adds them to the store
 * every FLUSH_MS and on close. Counts of a crash's last two seconds are lost: they are statistics.
 */
export class OutcomeRecorder {
  private pending = new Map<string, OutcomeCount>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly metrics: ServerMetrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(projectId: number, outcome: OutcomeKind, reason: string, category: string, count = 1, at = Date.now()): void {
    if (count <= 0) return;
    if (outcome === 'client_discard') this.metrics.clientDiscarded.inc({ reason, category }, count);
    else this.metrics.rejected.inc({ outcome, reason, category }, count);
    const hour = at - (at % HOUR);
    const id = `${projectId}\u0000${hour}\u0000${outcome}\u0000${reason}\u0000${category}`;
    const row = this.pending.get(id);
    if (row) row.count += count;
    else if (this.pending.size < MAX_PENDING) this.pending.set(id, { projectId, hour, outcome, reason, category, count });
  }

  /** Writes what is pending; the store adds it to what it holds. Tests call it to read counts at once. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const rows = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.store.addOutcomes(rows);
      } catch (error) {
        this.log.warn({ err: error, rows: rows.length }, 'outcome counts could not be stored');
      }
    });
    return this.flushing;
  }
}
