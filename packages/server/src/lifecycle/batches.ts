import { setTimeout as sleep } from 'node:timers/promises';
import type { DeletionBatch } from '../store/lifecycle-types.js';

export interface BatchTotals {
  /** False when the first batch found nothing to delete from (no such issue). */
  found: boolean;
  events: number;
  other: number;
  batches: number;
}

/**
 * Repeats a deletion batch until it reports nothing more, pausing between batches so ingest
 * requests (and, on SQLite, the writer thread waiting for the write lock) go first.
 */
export async function runBatches(batch: () => Promise<DeletionBatch | undefined>, pauseMs: number, stopped: () => boolean = () => false): Promise<BatchTotals> {
  const totals: BatchTotals = { found: true, events: 0, other: 0, batches: 0 };
  for (;;) {
    const result = await batch();
    totals.batches++;
    if (!result) {
      totals.found = totals.batches > 1;
      return totals;
    }
    totals.events += result.events;
    totals.other += result.other;
    if (!result.more || stopped()) return totals;
    await sleep(pauseMs);
  }
}
