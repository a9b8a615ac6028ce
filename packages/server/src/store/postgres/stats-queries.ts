import type { Kysely } from 'kysely';
import { INTERVAL_MS, type StatsRange } from '../types.js';
import { isStoredId } from './search-sql.js';
import type { Tables } from './tables.js';

const HOUR_MS = INTERVAL_MS.hour;

/** Time-bucketed event counts. Hour and day buckets come from issue_hours; minutes from events. */
export class StatsQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async issueStats(issueIds: number[], range: StatsRange): Promise<Map<number, number[]>> {
    const size = INTERVAL_MS[range.interval];
    const buckets = Math.max(0, Math.ceil((range.to - range.from) / size));
    const result = new Map<number, number[]>(issueIds.map((id) => [id, new Array<number>(buckets).fill(0)]));
    const ids = issueIds.filter(isStoredId);
    if (ids.length === 0 || buckets === 0) return result;
    const add = (issueId: number, at: number, count: number) => {
      const index = Math.floor((at - range.from) / size);
      const series = result.get(issueId);
      if (series && index >= 0 && index < buckets) series[index]! += count;
    };
    // The issues' projects lead every key; one small lookup gives them.
    const projects = await this.db.selectFrom('issues').select('project_id').distinct().where('id', 'in', ids).execute();
    if (projects.length === 0) return result;
    const projectIds = projects.map((p) => p.project_id);
    if (range.interval === 'minute') {
      const rows = await this.db
        .selectFrom('events')
        .select(['issue_id', 'timestamp'])
        .where('project_id', 'in', projectIds)
        .where('issue_id', 'in', ids)
        .where('timestamp', '>=', Math.floor(range.from))
        .where('timestamp', '<', Math.ceil(range.to))
        .execute();
      for (const row of rows) add(row.issue_id, row.timestamp, 1);
      return result;
    }
    const rows = await this.db
      .selectFrom('issue_hours')
      .select(['issue_id', 'hour', 'count'])
      .where('project_id', 'in', projectIds)
      .where('issue_id', 'in', ids)
      .where('hour', '>=', Math.floor(range.from / HOUR_MS))
      .where('hour', '<', Math.ceil(range.to / HOUR_MS))
      .execute();
    for (const row of rows) add(row.issue_id, row.hour * HOUR_MS, row.count);
    return result;
  }
}
