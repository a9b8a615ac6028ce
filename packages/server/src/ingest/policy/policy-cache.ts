import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_POLICY, type IngestPolicy } from '../../store/ingest-policy-types.js';
import type { Store } from '../../store/types.js';
import { compileFilters, type CompiledFilters } from './filters.js';
import { compileScrubber, type Scrubber } from './scrub.js';

/** Another process's change reaches this one within this time. */
const REFRESH_MS = 5000;

export interface ActivePolicy {
  policy: IngestPolicy;
  filters: CompiledFilters | null;
  scrubber: Scrubber;
}

/**
 * Every project's ingest policy, compiled (regular expressions built once), in memory: ingest reads
 * it with no await. Refreshed from the store every REFRESH_MS, at once in the process that changes it.
 */
export class IngestPolicies {
  private readonly active = new Map<number, ActivePolicy>();
  private readonly fallback: ActivePolicy = compile(DEFAULT_POLICY);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((error: unknown) => this.log.warn({ err: error }, 'ingest policies could not be refreshed')), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const rows = await this.store.listIngestPolicies();
    const seen = new Set<number>();
    for (const { projectId, policy } of rows) {
      seen.add(projectId);
      const current = this.active.get(projectId);
      if (!current || JSON.stringify(current.policy) !== JSON.stringify(policy)) this.set(projectId, policy);
    }
    for (const id of this.active.keys()) if (!seen.has(id)) this.active.delete(id);
  }

  for(projectId: number): ActivePolicy {
    return this.active.get(projectId) ?? this.fallback;
  }

  set(projectId: number, policy: IngestPolicy): void {
    try {
      this.active.set(projectId, compile(policy));
    } catch (error) {
      // A stored rule that no longer compiles (validated on the way in) leaves the defaults on.
      this.log.error({ err: error, projectId }, 'ingest policy does not compile; defaults apply');
      this.active.set(projectId, { ...this.fallback, policy });
    }
  }
}

function compile(policy: IngestPolicy): ActivePolicy {
  return { policy, filters: compileFilters(policy.filters), scrubber: compileScrubber(policy.scrubbing) };
}
