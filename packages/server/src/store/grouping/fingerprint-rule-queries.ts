import type { Kysely } from 'kysely';
import type { FingerprintRules } from '../fingerprint-rule-types.js';

/** The table as Kysely sees it, the same in SQLite and PostgreSQL (epoch ms as numbers). */
export interface FingerprintRuleTables {
  project_fingerprint_rules: { project_id: number; rules: string; updated_at: number };
}

/**
 * Project fingerprint rules (store/fingerprint-rule-types.ts), one implementation for every backend
 * as triage/queries.ts is. How a change is announced differs: PostgreSQL passes `announce`, run in
 * the transaction of the upsert (a NOTIFY, so every process drops its parsed copy when, and only
 * when, it commits); SQLite has one process and announces after the call returns (sqlite/store.ts).
 */
export class FingerprintRuleQueries {
  constructor(
    private readonly db: Kysely<FingerprintRuleTables>,
    private readonly announce?: (tx: Kysely<FingerprintRuleTables>, projectId: number) => Promise<void>,
  ) {}

  async getFingerprintRules(projectId: number): Promise<FingerprintRules | undefined> {
    const row = await this.db.selectFrom('project_fingerprint_rules').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    return row ? toRules(row) : undefined;
  }

  async listFingerprintRules(): Promise<FingerprintRules[]> {
    const rows = await this.db.selectFrom('project_fingerprint_rules').selectAll().where('rules', '<>', '').orderBy('project_id').execute();
    return rows.map(toRules);
  }

  async putFingerprintRules(projectId: number, rules: string): Promise<FingerprintRules> {
    const updatedAt = Date.now();
    const upsert = (db: Kysely<FingerprintRuleTables>) =>
      db
        .insertInto('project_fingerprint_rules')
        .values({ project_id: projectId, rules, updated_at: updatedAt })
        .onConflict((oc) => oc.column('project_id').doUpdateSet((eb) => ({ rules: eb.ref('excluded.rules'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    const announce = this.announce;
    if (!announce) await upsert(this.db);
    else {
      await this.db.transaction().execute(async (tx) => {
        await upsert(tx);
        await announce(tx, projectId);
      });
    }
    return { projectId, rules, updatedAt };
  }
}

const toRules = (row: FingerprintRuleTables['project_fingerprint_rules']): FingerprintRules => ({
  projectId: Number(row.project_id),
  rules: row.rules,
  updatedAt: Number(row.updated_at),
});
