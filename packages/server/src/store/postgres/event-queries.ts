import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { EventListQuery, EventNeighbors, EventSummary, Page, StoredEventRecord } from '../types.js';
import { decodePayload } from '../payload-codec.js';
import { isStoredId, resolveTagValues, SearchCompiler } from './search-sql.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();
const EVENT_ID = /^[0-9a-f]{32}$/;

/** A stored event as the store keeps it; the API's view of it is built above the store. */

export class EventQueries {
  constructor(private readonly db: Kysely<Tables>) {}

  async listEvents(query: EventListQuery): Promise<Page<EventSummary>> {
    const { limit, cursor } = query;
    let q = this.db
      .selectFrom('events')
      .select(['row', 'event_id', 'issue_id', 'project_id', 'timestamp', 'received'])
      .where('project_id', '=', query.projectId);
    if (query.issueId !== undefined) {
      if (!isStoredId(query.issueId)) return { items: [], nextCursor: null };
      q = q.where('issue_id', '=', query.issueId);
    }
    if (query.filter) {
      const compiler = new SearchCompiler(this.db, query.projectId, 'events', 'events', await resolveTagValues(this.db, query.projectId, query.filter));
      q = q.where((eb) => compiler.compile(eb, query.filter!));
    }
    if (cursor) {
      const c = decodeCursor(cursor);
      if (!c || typeof c.sortValue !== 'number' || !Number.isSafeInteger(c.sortValue) || !Number.isSafeInteger(c.id)) {
        throw new RangeError('cursor is not valid');
      }
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

  /** The event's row, found through event_ids so only its time partition is read. */
  async getEvent(projectId: number, eventId: string): Promise<StoredEventRecord | undefined> {
    if (!EVENT_ID.test(eventId)) return undefined;
    const id = Buffer.from(eventId, 'hex');
    const row = await this.db
      .selectFrom('event_ids as i')
      .innerJoin('events as e', (join) =>
        join.onRef('e.project_id', '=', 'i.project_id').onRef('e.timestamp', '=', 'i.timestamp').onRef('e.event_id', '=', 'i.event_id'),
      )
      .select(['e.issue_id', 'e.project_id', 'e.timestamp', 'e.received', 'e.trace_id', 'e.payload'])
      .where('i.project_id', '=', projectId)
      .where('i.event_id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      eventId,
      issueId: row.issue_id,
      projectId: row.project_id,
      timestamp: iso(row.timestamp),
      received: iso(row.received),
      receivedMs: row.received,
      traceId: row.trace_id ? row.trace_id.toString('hex') : null,
      payload: decodePayload(row.payload),
    };
  }

  /** The events just older and just newer than this one within its issue. */
  async eventNeighbors(projectId: number, eventId: string): Promise<EventNeighbors | undefined> {
    if (!EVENT_ID.test(eventId)) return undefined;
    const id = Buffer.from(eventId, 'hex');
    const current = await this.db
      .selectFrom('event_ids as i')
      .innerJoin('events as e', (join) =>
        join.onRef('e.project_id', '=', 'i.project_id').onRef('e.timestamp', '=', 'i.timestamp').onRef('e.event_id', '=', 'i.event_id'),
      )
      .select(['e.row', 'e.issue_id', 'e.timestamp'])
      .where('i.project_id', '=', projectId)
      .where('i.event_id', '=', id)
      .executeTakeFirst();
    if (!current) return undefined;
    const { row, timestamp } = current;
    const near = (direction: 'previous' | 'next') => {
      const before = direction === 'previous';
      return this.db
        .selectFrom('events')
        .select('event_id')
        .where('project_id', '=', projectId)
        .where('issue_id', '=', current.issue_id)
        .where((eb) =>
          eb.or([eb('timestamp', before ? '<' : '>', timestamp), eb.and([eb('timestamp', '=', timestamp), eb('row', before ? '<' : '>', row)])]),
        )
        .orderBy('timestamp', before ? 'desc' : 'asc')
        .orderBy('row', before ? 'desc' : 'asc')
        .limit(1)
        .executeTakeFirst();
    };
    const [previous, next] = await Promise.all([near('previous'), near('next')]);
    return {
      previousEventId: previous ? previous.event_id.toString('hex') : null,
      nextEventId: next ? next.event_id.toString('hex') : null,
    };
  }
}
