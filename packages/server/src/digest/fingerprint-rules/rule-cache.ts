import type { FastifyBaseLogger } from 'fastify';
import type { FingerprintRules } from '../../store/fingerprint-rule-types.js';
import type { Store } from '../../store/types.js';
import { parseFingerprintRules, type FingerprintRule } from './parse.js';

/**
 * The bound on staleness when a change is not heard (PostgreSQL's listener down): every process
 * reads the whole list this often and parses only the projects whose text changed.
 */
const REFRESH_MS = 5000;
const NONE: readonly FingerprintRule[] = [];

/**
 * Every project's fingerprint rules, parsed, in memory: digest reads them with no await and no
 * parsing (a 50-rule text takes about a millisecond to parse; matching costs microseconds, see
 * docs/grouping.md). A change is parsed at once in the process that made it, and in the others when
 * the store announces it (store/invalidation.ts: NOTIFY on PostgreSQL), or at the next refresh.
 */
export class FingerprintRuleCache {
  private readonly active = new Map<number, { text: string; updatedAt: number; rules: readonly FingerprintRule[] }>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.store.onInvalidation((change) => {
      if (change.kind === 'fingerprint_rules') void this.reload(change.projectId).catch((error: unknown) => this.warn(error));
      else if (change.kind === 'everything') void this.refresh().catch((error: unknown) => this.warn(error));
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((error: unknown) => this.warn(error)), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** The project's parsed rules; none when it has none. */
  for(projectId: number): readonly FingerprintRule[] {
    return this.active.get(projectId)?.rules ?? NONE;
  }

  async refresh(): Promise<void> {
    const rows = await this.store.listFingerprintRules();
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.projectId);
      this.set(row);
    }
    for (const id of this.active.keys()) if (!seen.has(id)) this.active.delete(id);
  }

  async reload(projectId: number): Promise<void> {
    const row = await this.store.getFingerprintRules(projectId);
    if (!row || row.rules === '') this.active.delete(projectId);
    else this.set(row);
  }

  /** Takes a stored text; parses it only when it differs from the one held, and never goes back to an older one. */
  set(row: FingerprintRules): void {
    const current = this.active.get(row.projectId);
    if (current && (current.text === row.rules || current.updatedAt > row.updatedAt)) return;
    if (row.rules === '') {
      this.active.delete(row.projectId);
      return;
    }
    try {
      this.active.set(row.projectId, { text: row.rules, updatedAt: row.updatedAt, rules: parseFingerprintRules(row.rules) });
    } catch (error) {
      // Validated before it was stored; a text a later version no longer parses groups by default.
      this.log.error({ err: error, projectId: row.projectId }, 'fingerprint rules do not parse; default grouping applies');
      this.active.set(row.projectId, { text: row.rules, updatedAt: row.updatedAt, rules: NONE });
    }
  }

  private warn(error: unknown): void {
    this.log.warn({ err: error }, 'fingerprint rules could not be refreshed');
  }
}
