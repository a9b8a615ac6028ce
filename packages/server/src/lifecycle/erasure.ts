import type { RetentionConfig } from '../config.js';
import type { ErasureSubject } from '../store/lifecycle-types.js';
import type { Store } from '../store/types.js';
import { runBatches } from './batches.js';

export interface ErasureReport {
  events: number;
  replays: number;
  projects: Array<{ id: number; events: number; replays: number }>;
}

/** GDPR erasure of one person in each project given, shared by the API and `proliferate erase-user`. */
export async function eraseUser(store: Store, projectIds: number[], subject: ErasureSubject, pace: Pick<RetentionConfig, 'batchSize' | 'pauseMs'>): Promise<ErasureReport> {
  const report: ErasureReport = { events: 0, replays: 0, projects: [] };
  for (const id of projectIds) {
    const done = await runBatches(() => store.eraseUserBatch(id, subject, pace.batchSize), pace.pauseMs);
    report.projects.push({ id, events: done.events, replays: done.other });
    report.events += done.events;
    report.replays += done.other;
  }
  return report;
}
