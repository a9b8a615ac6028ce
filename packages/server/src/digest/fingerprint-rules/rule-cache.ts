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
  private readonly active = new Map<number, { text: string; rules: readonly FingerprintRule[] }>();
  /**
   * Bumped for a project whenever it changes here or we hear it changed elsewhere: a read that
   * began before the bump may hold the old text, so it is not applied (the read the change started,
   * or the change itself, applies the new one). Clocks of other machines are never compared.
   */
  private readonly epochs = new Map<number, number>();
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

  /** Reads every project's rules and applies those that did not change while they were read. */
  async refresh(): Promise<void> {
    const before = new Map(this.epochs);
    const rows = await this.store.listFingerprintRules();
    const unchanged = (id: number) => (this.epochs.get(id) ?? 0) === (before.get(id) ?? 0);
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.projectId);
      if (unchanged(row.projectId)) this.apply(row.projectId, row.rules);
    }
    for (const id of [...this.active.keys()]) if (!seen.has(id) && unchanged(id)) this.active.delete(id);
  }

  /** Reads one project's rules again (its change was announced). */
  async reload(projectId: number): Promise<void> {
    const epoch = this.bump(projectId);
    const row = await this.store.getFingerprintRules(projectId);
    if (this.epochs.get(projectId) === epoch) this.apply(projectId, row?.rules ?? '');
  }

  /** The rules just stored by this process: applied at once. */
  set(row: FingerprintRules): void {
    this.bump(row.projectId);
    this.apply(row.projectId, row.rules);
  }

  private bump(projectId: number): number {
    const epoch = (this.epochs.get(projectId) ?? 0) + 1;
    this.epochs.set(projectId, epoch);
    return epoch;
  }

  /** Parses a text only when it differs from the one held. */
  private apply(projectId: number, text: string): void {
    if (text === '') {
      this.active.delete(projectId);
      return;
    }
    if (this.active.get(projectId)?.text === text) return;
    try {
      this.active.set(projectId, { text, rules: parseFingerprintRules(text) });
    } catch (error) {
      // Validated before it was stored; a text a later version no longer parses groups by default.
      this.log.error({ err: error, projectId }, 'fingerprint rules do not parse; default grouping applies');
      this.active.set(projectId, { text, rules: NONE });
    }
  }

  private warn(error: unknown): void {
    this.log.warn({ err: error }, 'fingerprint rules could not be refreshed');
  }
}
