import { sql, type Kysely } from 'kysely';
import { IDENTITY_TAG_KEYS, type TagKeyDistribution } from '../types.js';
import { isStoredId, wildcardToLike } from './search-sql.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Tag reads, all served from the write-time counts (issue_tag_values), never from events. */
export class TagQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  private async tagRows(issueId: number, key?: string) {
    if (!isStoredId(issueId)) return [];
    let q = this.db
      .selectFrom('issues as i')
      .innerJoin('issue_tag_values as itv', (join) => join.onRef('itv.project_id', '=', 'i.project_id').onRef('itv.issue_id', '=', 'i.id'))
      .innerJoin('tag_values as tv', (join) => join.onRef('tv.project_id', '=', 'i.project_id').onRef('tv.id', '=', 'itv.value_id'))
      .select(['tv.key', 'tv.value', 'itv.count', 'itv.first_seen', 'itv.last_seen'])
      .where('i.id', '=', issueId);
    if (key !== undefined) q = q.where('tv.key', '=', key);
    // COLLATE "C": byte order, as SQLite sorts text, whatever the database's locale.
    return q.orderBy(sql`tv.key COLLATE "C"`).orderBy('itv.count', 'desc').orderBy(sql`tv.value COLLATE "C"`).execute();
  }

  async issueTagDistribution(issueId: number, topValues: number): Promise<TagKeyDistribution[]> {
    const byKey = new Map<string, TagKeyDistribution>();
    for (const row of await this.tagRows(issueId)) {
      let entry = byKey.get(row.key);
      if (!entry) byKey.set(row.key, (entry = { key: row.key, totalValues: 0, values: [] }));
      entry.totalValues += row.count;
      if (entry.values.length < topValues) {
        entry.values.push({ value: row.value, count: row.count, firstSeen: iso(row.first_seen), lastSeen: iso(row.last_seen) });
      }
    }
    return [...byKey.values()];
  }

  async issueTagValues(issueId: number, key: string): Promise<TagKeyDistribution | undefined> {
    const rows = await this.tagRows(issueId, key);
    if (rows.length === 0) return undefined;
    return {
      key,
      totalValues: rows.reduce((sum, r) => sum + r.count, 0),
      values: rows.map((r) => ({ value: r.value, count: r.count, firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen) })),
    };
  }

  async projectTagKeys(projectId: number): Promise<Array<{ key: string; uniqueValues: number }>> {
    const rows = await this.db
      .selectFrom('tag_values')
      .select(['key', (eb) => eb.fn.countAll<number>().as('unique_values')])
      .where('project_id', '=', projectId)
      .groupBy('key')
      .orderBy(sql`key COLLATE "C"`)
      .execute();
    return rows.map((r) => ({ key: r.key, uniqueValues: Number(r.unique_values) }));
  }

  /** Values of one key in a project, most frequent first, optionally by prefix (autocomplete). */
  async projectTagValues(projectId: number, key: string, prefix: string, limit: number) {
    if (IDENTITY_TAG_KEYS.has(key)) return this.identityTagValues(projectId, key, prefix, limit);
    let q = this.db
      .selectFrom('tag_values as tv')
      .innerJoin('issue_tag_values as itv', (join) => join.onRef('itv.project_id', '=', 'tv.project_id').onRef('itv.value_id', '=', 'tv.id'))
      .select(['tv.value', (eb) => eb.fn.sum<number>('itv.count').as('count'), (eb) => eb.fn.countAll<number>().as('issues')])
      .where('tv.project_id', '=', projectId)
      .where('tv.key', '=', key);
    if (prefix) q = q.where(sql<boolean>`tv.value ILIKE ${wildcardToLike(prefix) + '%'}`);
    const rows = await q.groupBy(['tv.id', 'tv.value']).orderBy('count', 'desc').orderBy(sql`tv.value COLLATE "C"`).limit(limit).execute();
    return rows.map((r) => ({ value: r.value, count: Number(r.count), issues: Number(r.issues) }));
  }

  /**
   * Identity keys have no per-issue counts and may have millions of values: take the first values
   * in order that match the prefix, then count events and issues for those only.
   */
  private async identityTagValues(projectId: number, key: string, prefix: string, limit: number) {
    let q = this.db.selectFrom('tag_values').select(['id', 'value']).where('project_id', '=', projectId).where('key', '=', key);
    if (prefix) q = q.where(sql<boolean>`value ILIKE ${wildcardToLike(prefix) + '%'}`);
    const values = await q.orderBy(sql`value COLLATE "C"`).limit(limit).execute();
    if (values.length === 0) return [];
    const counts = await this.db
      .selectFrom('event_tags')
      .select(['value_id', (eb) => eb.fn.countAll<number>().as('count'), sql<number>`count(DISTINCT issue_id)`.as('issues')])
      .where('project_id', '=', projectId)
      .where('value_id', 'in', values.map((v) => v.id))
      .groupBy('value_id')
      .execute();
    const byId = new Map(counts.map((c) => [c.value_id, c]));
    return values
      .map((v) => ({ value: v.value, count: Number(byId.get(v.id)?.count ?? 0), issues: Number(byId.get(v.id)?.issues ?? 0) }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}
