import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { EventListQuery, EventNeighbors, EventSummary, Page, StoredEventRecord } from '../types.js';
import { SearchCompiler } from './search-sql.js';
import { decodePayload } from '../payload-codec.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();

export class EventQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async listEvents(query: EventListQuery): Promise<Page<EventSummary>> {
    const { limit, cursor } = query;
    let q = this.db
      .selectFrom('events')
      .select(['row', 'event_id', 'issue_id', 'project_id', 'timestamp', 'received'])
      .where('project_id', '=', query.projectId);
    if (query.issueId !== undefined) q = q.where('issue_id', '=', query.issueId);
    if (query.filter) {
      const compiler = new SearchCompiler(this.db, query.projectId, 'events');
      q = q.where((eb) => compiler.compile(eb, query.filter!));
    }
    if (cursor) {
      const c = decodeCursor(cursor);
      if (!c || typeof c.sortValue !== 'number') throw new RangeError('cursor is not valid');
      const { sortValue, id } = c;
      q = q.where((eb) => eb.or([eb('timestamp', '<', sortValue), eb.and([eb('timestamp', '=', sortValue), eb('row', '<', id)])]));
    }
    const rows = await q.orderBy('timestamp', 'desc').orderBy('row', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        eventId: r.event_id.toString('hex'),
        issueId: r.issue_id,
        projectId: r.project_id,
        timestamp: iso(r.timestamp),
        received: iso(r.received),
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.timestamp, last.row) : null,
    };
  }

  async getEvent(projectId: number, eventId: string): Promise<StoredEventRecord | undefined> {
    if (!/^[0-9a-f]{32}$/.test(eventId)) return undefined;
    const row = await this.db
      .selectFrom('events')
      .select(['event_id', 'issue_id', 'project_id', 'timestamp', 'received', 'trace_id', 'payload'])
      .where('project_id', '=', projectId)
      .where('event_id', '=', Buffer.from(eventId, 'hex'))
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      eventId,
      issueId: row.issue_id,
      projectId: row.project_id,
      timestamp: iso(row.timestamp),
      received: iso(row.received),
      traceId: row.trace_id ? row.trace_id.toString('hex') : null,
      receivedMs: row.received,
      payload: decodePayload(row.payload),
    };
  }

  /** The events just older and just newer than this one within its issue. */
  async eventNeighbors(projectId: number, eventId: string): Promise<EventNeighbors | undefined> {
    if (!/^[0-9a-f]{32}$/.test(eventId)) return undefined;
    const current = await this.db
      .selectFrom('events')
      .select(['row', 'issue_id', 'timestamp'])
      .where('project_id', '=', projectId)
      .where('event_id', '=', Buffer.from(eventId, 'hex'))
      .executeTakeFirst();
    if (!current) return undefined;
    const { row, timestamp } = current;
    const previous = await this.db
      .selectFrom('events')
      .select('event_id')
      .where('issue_id', '=', current.issue_id)
      .where((eb) => eb.or([eb('timestamp', '<', timestamp), eb.and([eb('timestamp', '=', timestamp), eb('row', '<', row)])]))
      .orderBy('timestamp', 'desc')
      .orderBy('row', 'desc')
      .limit(1)
      .executeTakeFirst();
    const next = await this.db
      .selectFrom('events')
      .select('event_id')
      .where('issue_id', '=', current.issue_id)
      .where((eb) => eb.or([eb('timestamp', '>', timestamp), eb.and([eb('timestamp', '=', timestamp), eb('row', '>', row)])]))
      .orderBy('timestamp', 'asc')
      .orderBy('row', 'asc')
      .limit(1)
      .executeTakeFirst();
    return {
      previousEventId: previous ? previous.event_id.toString('hex') : null,
      nextEventId: next ? next.event_id.toString('hex') : null,
    };
  }
}
