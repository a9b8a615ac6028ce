import { type Kysely, sql } from 'kysely';
import type { IngestPolicy, IngestPolicyStore, OutcomeCount, OutcomeKind, RateTokenGrant, RateTokenRequest } from '../ingest-policy-types.js';

/** A bucket unused this long (and refilled to its burst) is pruned: a new one would start the same. */
const STALE_BUCKET_MS = 3_600_000;

/**
 * Project ingest policies and outcome counts (PostgreSQL). The SQL is the same on both backends
 * (ON CONFLICT upserts); the tables are typed apart, so the queries are written with `sql`.
 */
const NOW = '(extract(epoch from clock_timestamp()) * 1000)::double precision';

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

  async leaseRateTokens(requests: RateTokenRequest[]): Promise<RateTokenGrant[]> {
    if (requests.length === 0) return [];
    // Scope order: two processes leasing the same buckets lock their rows in the same order.
    const list = [...requests].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
    const col = <T>(f: (r: RateTokenRequest) => T) => list.map(f);
    // The proposed row carries the request (granted = want, at most the burst), the DO UPDATE
    // reads the stored bucket (SET expressions see the old row); the database's clock, so that
    // processes on several hosts agree on the time.
    const available = sql`least(excluded.burst, b.tokens + greatest(0, excluded.at - b.at) * excluded.per_minute / 60000.0)`;
    const grant = sql`greatest(0, least(excluded.granted, floor(${available})))`;
    const { rows } = await sql<{ scope: string; granted: number; tokens: number }>`
      INSERT INTO rate_limit_buckets AS b (scope, tokens, granted, at, burst, per_minute)
      SELECT r.scope, r.burst - least(r.want, r.burst), least(r.want, r.burst), ${sql.raw(NOW)}, r.burst, r.per_minute
      FROM unnest(${col((r) => r.scope)}::text[], ${col((r) => r.want)}::float8[], ${col((r) => r.burst)}::float8[], ${col((r) => r.perMinute)}::float8[])
        AS r(scope, want, burst, per_minute)
      ON CONFLICT (scope) DO UPDATE SET granted = ${grant}, tokens = ${available} - ${grant}, at = greatest(b.at, excluded.at),
        burst = excluded.burst, per_minute = excluded.per_minute
      RETURNING scope, granted, tokens`.execute(this.db);
    return rows.map((r) => ({ scope: r.scope, granted: Number(r.granted), tokens: Number(r.tokens) }));
  }

  /** Deleted projects' and inactive keys' buckets, and full ones unused for an hour (ingest-policy-types.ts). */
  async pruneRateBuckets(): Promise<number> {
    const now = sql.raw(NOW);
    const result = await sql`DELETE FROM rate_limit_buckets b
      WHERE (b.scope LIKE 'p:%' AND NOT EXISTS (SELECT 1 FROM projects p WHERE 'p:' || p.id::text = b.scope AND p.deleted_at IS NULL))
         OR (b.scope LIKE 'k:%' AND NOT EXISTS (SELECT 1 FROM project_keys k WHERE 'k:' || k.public_key = b.scope AND k.is_active))
         OR (b.at < ${now} - ${STALE_BUCKET_MS} AND b.tokens + (${now} - b.at) * b.per_minute / 60000.0 >= b.burst)`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
