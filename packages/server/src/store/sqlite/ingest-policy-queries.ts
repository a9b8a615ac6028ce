import { type Kysely, sql } from 'kysely';
import type { IngestPolicy, IngestPolicyStore, OutcomeCount, OutcomeKind, RateTokenGrant, RateTokenRequest } from '../ingest-policy-types.js';

/** A bucket unused this long (and refilled to its burst) is pruned: a new one would start the same. */
const STALE_BUCKET_MS = 3_600_000;

/**
 * Project ingest policies and outcome counts (SQLite). The SQL is the same on both backends
 * (ON CONFLICT upserts); the tables are typed apart, so the queries are written with `sql`.
 */
export class IngestPolicyQueries implements IngestPolicyStore {
  constructor(private readonly db: Kysely<any>) {}

  async getIngestPolicy(projectId: number): Promise<IngestPolicy | undefined> {
    const { rows } = await sql<{ policy: string }>`SELECT policy FROM ingest_policies WHERE project_id = ${projectId}`.execute(this.db);
    return rows[0] ? (JSON.parse(rows[0].policy) as IngestPolicy) : undefined;
  }

  async listIngestPolicies(): Promise<Array<{ projectId: number; policy: IngestPolicy }>> {
    const { rows } = await sql<{ project_id: number; policy: string }>`SELECT project_id, policy FROM ingest_policies`.execute(this.db);
    return rows.map((row) => ({ projectId: Number(row.project_id), policy: JSON.parse(row.policy) as IngestPolicy }));
  }

  async putIngestPolicy(projectId: number, policy: IngestPolicy): Promise<void> {
    const text = JSON.stringify(policy);
    await sql`INSERT INTO ingest_policies (project_id, policy, updated_at) VALUES (${projectId}, ${text}, ${Date.now()})
      ON CONFLICT (project_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`.execute(this.db);
  }

  async addOutcomes(counts: OutcomeCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const c of counts) {
        await sql`INSERT INTO ingest_outcomes (project_id, hour, outcome, reason, category, count)
          VALUES (${c.projectId}, ${c.hour}, ${c.outcome}, ${c.reason}, ${c.category}, ${c.count})
          ON CONFLICT (project_id, hour, outcome, reason, category) DO UPDATE SET count = ingest_outcomes.count + excluded.count`.execute(tx);
      }
    });
  }

  async listOutcomes(projectId: number, sinceMs: number): Promise<OutcomeCount[]> {
    const { rows } = await sql<{ hour: number; outcome: string; reason: string; category: string; count: number }>`
      SELECT hour, outcome, reason, category, count FROM ingest_outcomes
      WHERE project_id = ${projectId} AND hour >= ${sinceMs} ORDER BY hour, outcome, reason, category`.execute(this.db);
    return rows.map((r) => ({ projectId, hour: Number(r.hour), outcome: r.outcome as OutcomeKind, reason: r.reason, category: r.category, count: Number(r.count) }));
  }

  /** As on PostgreSQL (ingest-policy-types.ts); a SQLite install has one process, so this process's clock. */
  async leaseRateTokens(requests: RateTokenRequest[]): Promise<RateTokenGrant[]> {
    if (requests.length === 0) return [];
    const now = Date.now();
    const available = sql`min(excluded.burst, b.tokens + max(0, excluded.at - b.at) * excluded.per_minute / 60000.0)`;
    const grant = sql`max(0, min(excluded.granted, CAST(${available} AS INTEGER)))`;
    return this.db.transaction().execute(async (tx) => {
      const out: RateTokenGrant[] = [];
      for (const r of requests) {
        const want = Math.min(r.want, r.burst);
        const { rows } = await sql<{ scope: string; granted: number; tokens: number }>`
          INSERT INTO rate_limit_buckets AS b (scope, tokens, granted, at, burst, per_minute)
          VALUES (${r.scope}, ${r.burst - want}, ${want}, ${now}, ${r.burst}, ${r.perMinute})
          ON CONFLICT (scope) DO UPDATE SET granted = ${grant}, tokens = ${available} - ${grant}, at = max(b.at, excluded.at),
            burst = excluded.burst, per_minute = excluded.per_minute
          RETURNING scope, granted, tokens`.execute(tx);
        out.push({ scope: rows[0]!.scope, granted: Number(rows[0]!.granted), tokens: Number(rows[0]!.tokens) });
      }
      return out;
    });
  }

  /** As on PostgreSQL (ingest-policy-types.ts). */
  async pruneRateBuckets(): Promise<number> {
    const now = Date.now();
    const result = await sql`DELETE FROM rate_limit_buckets
      WHERE (scope LIKE 'p:%' AND NOT EXISTS (SELECT 1 FROM projects p WHERE 'p:' || p.id = rate_limit_buckets.scope AND p.deleted_at IS NULL))
         OR (scope LIKE 'k:%' AND NOT EXISTS (SELECT 1 FROM project_keys k WHERE 'k:' || k.public_key = rate_limit_buckets.scope AND k.is_active = 1))
         OR (at < ${now - STALE_BUCKET_MS} AND tokens + (${now} - at) * per_minute / 60000.0 >= burst)`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
