import { type Kysely, sql } from 'kysely';
import type { FingerprintRules } from '../fingerprint-rule-types.js';
import { notifyInvalidation } from './listener.js';

type Row = { project_id: number; rules: string; updated_at: number | string };
const toRules = (row: Row): FingerprintRules => ({ projectId: Number(row.project_id), rules: row.rules, updatedAt: Number(row.updated_at) });

/**
 * Project fingerprint rules (PostgreSQL). The SQL is the same on both backends (ON CONFLICT
 * upsert); the change is announced by a NOTIFY in the same transaction, so every process drops its
 * parsed copy when (and only when) it commits.
 */
export class FingerprintRuleQueries {
  constructor(private readonly db: Kysely<any>) {}

  async getFingerprintRules(projectId: number): Promise<FingerprintRules | undefined> {
    const { rows } = await sql<Row>`SELECT project_id, rules, updated_at FROM project_fingerprint_rules WHERE project_id = ${projectId}`.execute(this.db);
    return rows[0] ? toRules(rows[0]) : undefined;
  }

  async listFingerprintRules(): Promise<FingerprintRules[]> {
    const { rows } = await sql<Row>`SELECT project_id, rules, updated_at FROM project_fingerprint_rules WHERE rules <> '' ORDER BY project_id`.execute(this.db);
    return rows.map(toRules);
  }

  async putFingerprintRules(projectId: number, rules: string): Promise<FingerprintRules> {
    const updatedAt = Date.now();
    await this.db.transaction().execute(async (tx) => {
      await sql`INSERT INTO project_fingerprint_rules (project_id, rules, updated_at) VALUES (${projectId}, ${rules}, ${updatedAt})
        ON CONFLICT (project_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`.execute(tx);
      await notifyInvalidation(tx, { kind: 'fingerprint_rules', projectId });
    });
    return { projectId, rules, updatedAt };
  }
}
