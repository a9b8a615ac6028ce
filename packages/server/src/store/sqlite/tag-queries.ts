import { sql, type Kysely } from 'kysely';
import { IDENTITY_TAG_KEYS, type TagKeyDistribution } from '../types.js';
import { wildcardToLike } from '../search-fields.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Tag reads, all served from the write-time counts (issue_tag_values), never from events. */
export class TagQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * One page of an issue's keys (after `afterKey`, in key order) with each key's top values and
   * total. Two bounded queries: the page's keys, then their values ranked per key in SQL, so an
   * issue with 40,000 keys answers one page, not every row it has (once 113 MB in 12 s).
   */
  async issueTagDistribution(issueId: number, topValues: number, page: { afterKey?: string; keys?: number } = {}): Promise<TagKeyDistribution[]> {
    const keys = await sql<{ key: string }>`
      SELECT DISTINCT tv.key FROM issue_tag_values itv JOIN tag_values tv ON tv.id = itv.value_id
      WHERE itv.issue_id = ${issueId} AND tv.key > ${page.afterKey ?? ''}
      ORDER BY tv.key LIMIT ${page.keys ?? -1}`.execute(this.db);
    if (keys.rows.length === 0) return [];
    const first = keys.rows[0]!.key;
    const last = keys.rows.at(-1)!.key;
    const rows = await sql<{ key: string; value: string; count: number; first_seen: number; last_seen: number; total: number }>`
      SELECT key, value, count, first_seen, last_seen, total FROM (
        SELECT tv.key, tv.value, itv.count, itv.first_seen, itv.last_seen,
          row_number() OVER (PARTITION BY tv.key ORDER BY itv.count DESC, tv.value) AS rank,
          sum(itv.count) OVER (PARTITION BY tv.key) AS total
        FROM issue_tag_values itv JOIN tag_values tv ON tv.id = itv.value_id
        WHERE itv.issue_id = ${issueId} AND tv.key >= ${first} AND tv.key <= ${last}
      ) WHERE rank <= ${topValues} ORDER BY key, rank`.execute(this.db);
    const byKey = new Map<string, TagKeyDistribution>();
    for (const row of rows.rows) {
      let entry = byKey.get(row.key);
      if (!entry) byKey.set(row.key, (entry = { key: row.key, totalValues: Number(row.total), values: [] }));
      entry.values.push({ value: row.value, count: row.count, firstSeen: iso(row.first_seen), lastSeen: iso(row.last_seen) });
    }
    return [...byKey.values()];
  }

  /** One key of an issue: its total and a page of values, most frequent first. */
  async issueTagValues(issueId: number, key: string, page: { offset?: number; limit?: number } = {}): Promise<TagKeyDistribution | undefined> {
    const total = await this.db
      .selectFrom('issue_tag_values as itv')
      .innerJoin('tag_values as tv', 'tv.id', 'itv.value_id')
      .select((eb) => [eb.fn.sum<number>('itv.count').as('total'), eb.fn.countAll<number>().as('n')])
      .where('itv.issue_id', '=', issueId)
      .where('tv.key', '=', key)
      .executeTakeFirst();
    if (!total || Number(total.n) === 0) return undefined;
    const rows = await this.db
      .selectFrom('issue_tag_values as itv')
      .innerJoin('tag_values as tv', 'tv.id', 'itv.value_id')
      .select(['tv.value', 'itv.count', 'itv.first_seen', 'itv.last_seen'])
      .where('itv.issue_id', '=', issueId)
      .where('tv.key', '=', key)
      .orderBy('itv.count', 'desc')
      .orderBy('tv.value')
      .limit(page.limit ?? -1)
      .offset(page.offset ?? 0)
      .execute();
    return {
      key,
      totalValues: Number(total.total),
      values: rows.map((r) => ({ value: r.value, count: r.count, firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen) })),
    };
  }

  /** A page of the project's tag keys in key order, after `afterKey`. */
  async projectTagKeys(projectId: number, page: { afterKey?: string; limit?: number } = {}): Promise<Array<{ key: string; uniqueValues: number }>> {
    const rows = await this.db
      .selectFrom('tag_values')
      .select(['key', (eb) => eb.fn.countAll<number>().as('unique_values')])
      .where('project_id', '=', projectId)
      .where('key', '>', page.afterKey ?? '')
      .groupBy('key')
      .orderBy('key')
      .limit(page.limit ?? -1)
      .execute();
    return rows.map((r) => ({ key: r.key, uniqueValues: Number(r.unique_values) }));
  }

  /** Values of one key in a project, most frequent first, optionally by prefix (autocomplete). */
  async projectTagValues(projectId: number, key: string, prefix: string, limit: number) {
    if (IDENTITY_TAG_KEYS.has(key)) return this.identityTagValues(projectId, key, prefix, limit);
    let q = this.db
      .selectFrom('tag_values as tv')
      .innerJoin('issue_tag_values as itv', 'itv.value_id', 'tv.id')
      .select(['tv.value', (eb) => eb.fn.sum<number>('itv.count').as('count'), (eb) => eb.fn.countAll<number>().as('issues')])
      .where('tv.project_id', '=', projectId)
      .where('tv.key', '=', key);
    if (prefix) q = q.where(sql<boolean>`tv.value LIKE ${wildcardToLike(prefix) + '%'} ESCAPE '\\'`);
    const rows = await q.groupBy('tv.id').orderBy('count', 'desc').orderBy('tv.value').limit(limit).execute();
    return rows.map((r) => ({ value: r.value, count: Number(r.count), issues: Number(r.issues) }));
  }

  /**
   * Identity keys have no per-issue counts and may have millions of values: take the first values
   * in order that match the prefix, then count events and issues for those only.
   */
  private async identityTagValues(projectId: number, key: string, prefix: string, limit: number) {
    let q = this.db.selectFrom('tag_values').select(['id', 'value']).where('project_id', '=', projectId).where('key', '=', key);
    if (prefix) q = q.where(sql<boolean>`value LIKE ${wildcardToLike(prefix) + '%'} ESCAPE '\\'`);
    const values = await q.orderBy('value').limit(limit).execute();
    if (values.length === 0) return [];
    const counts = await this.db
      .selectFrom('event_tags as et')
      .innerJoin('events as e', 'e.row', 'et.event_row')
      .select(['et.value_id', (eb) => eb.fn.countAll<number>().as('count'), sql<number>`count(DISTINCT e.issue_id)`.as('issues')])
      .where('et.value_id', 'in', values.map((v) => v.id))
      .groupBy('et.value_id')
      .execute();
    const byId = new Map(counts.map((c) => [c.value_id, c]));
    return values
      .map((v) => ({ value: v.value, count: Number(byId.get(v.id)?.count ?? 0), issues: Number(byId.get(v.id)?.issues ?? 0) }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}
