/**
 * Session replays on PostgreSQL: sqlite/replay-queries.ts over Kysely. Segments are written in
 * their own transaction on the pool (a COMMIT is durable with synchronous_commit on); the event
 * group commit is not involved. Several processes may receive segments of one replay at once: the
 * replay's row is locked (SELECT ... FOR UPDATE) before its counters, caps and folded metadata are
 * read and written, so no segment's update is lost and the caps hold across processes.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ReplayFilter, ReplayLimits, ReplayListQuery, ReplaySegmentInput, ReplaySummary, ReplayUser, ReplayWriteResult } from '../replay-types.js';
import type { Page } from '../types.js';
import type { AllTables } from './release-tables.js';

const MAX_URLS = 100;
const MAX_TRACE_IDS = 100;
const MAX_TAGS = 100;

interface ReplayRow {
  row: number;
  project_id: number;
  replay_id: string;
  started_ms: number;
  finished_ms: number;
  segments: number;
  stored_bytes: number;
  recording_bytes: number;
  replay_type: string | null;
  environment: string | null;
  release: string | null;
  platform: string | null;
  user_id: string | null;
  user_email: string | null;
  user_username: string | null;
  user_ip: string | null;
  session_id: string | null;
  window_id: string | null;
  urls: string[];
  trace_ids: string[];
  tags: Record<string, string>;
}

const union = (a: string[], b: string[], max: number) => [...new Set([...a, ...b])].slice(0, max);
const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** Exact-match columns a replay search may name; any other key is a tag. */
const FIELD_COLUMNS: Record<string, keyof ReplayRow> = {
  'user.id': 'user_id',
  'user.email': 'user_email',
  'user.username': 'user_username',
  'user.ip': 'user_ip',
  session_id: 'session_id',
  'session.id': 'session_id',
  window_id: 'window_id',
  'window.id': 'window_id',
  environment: 'environment',
  release: 'release',
  replay_type: 'replay_type',
  id: 'replay_id',
  replay_id: 'replay_id',
};

const likeEscape = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterSql(filter: ReplayFilter): RawBuilder<unknown>[] {
  const clauses: RawBuilder<unknown>[] = [];
  for (const word of filter.text) {
    const like = likeEscape(word.toLowerCase());
    clauses.push(
      sql`(replay_id = ${word.toLowerCase().replace(/-/g, '')}
        OR lower(coalesce(user_id, '') || ' ' || coalesce(user_email, '') || ' ' || coalesce(user_username, '') || ' ' || coalesce(session_id, '')) LIKE ${like} ESCAPE '\\'
        OR lower(urls::text) LIKE ${like} ESCAPE '\\')`,
    );
  }
  for (const { key, value } of filter.fields) {
    const column = FIELD_COLUMNS[key];
    if (column) {
      clauses.push(sql`${sql.ref(column)} = ${column === 'replay_id' ? value.toLowerCase().replace(/-/g, '') : value}`);
    } else if (key === 'url') {
      clauses.push(sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(urls) AS u(url) WHERE u.url LIKE ${likeEscape(value)} ESCAPE '\\')`);
    } else {
      // ->> takes the key as a value, so no quoting of the key is needed (SQLite builds a JSON path).
      clauses.push(sql`tags ->> ${key} = ${value}`);
    }
  }
  return clauses;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class ReplayQueries {
  constructor(private readonly db: Kysely<AllTables>) {}

  /**
   * One transaction for the batch. Segments are applied in (project, replay, segment) order, so two
   * processes writing batches that touch the same replays lock their rows in the same order.
   */
  async writeSegments(segments: ReplaySegmentInput[], limits: ReplayLimits): Promise<ReplayWriteResult[]> {
    const order = segments
      .map((_, i) => i)
      .sort((a, b) => {
        const x = segments[a]!;
        const y = segments[b]!;
        return x.projectId - y.projectId || byText(x.replayId, y.replayId) || x.segmentId - y.segmentId;
      });
    const results: ReplayWriteResult[] = new Array(segments.length);
    await this.db.transaction().execute(async (tx) => {
      for (const i of order) results[i] = await this.writeSegment(tx, segments[i]!, limits);
    });
    return results;
  }

  private async lockReplay(tx: Kysely<AllTables>, s: ReplaySegmentInput): Promise<ReplayRow | undefined> {
    const { rows } = await sql<ReplayRow>`SELECT * FROM replays WHERE project_id = ${s.projectId} AND replay_id = ${s.replayId} FOR UPDATE`.execute(tx);
    return rows[0];
  }

  private async writeSegment(tx: Kysely<AllTables>, segment: ReplaySegmentInput, limits: ReplayLimits): Promise<ReplayWriteResult> {
    const size = segment.recording.byteLength;
    let existing = await this.lockReplay(tx, segment);
    let row: number | undefined;
    if (!existing) {
      if (size > limits.maxReplayBytes) return 'replay_too_large';
      row = await this.insert(tx, segment);
      // Another process created the replay since the SELECT: its row is locked and updated instead.
      if (row === undefined) existing = await this.lockReplay(tx, segment);
    }
    if (existing) {
      const has = await sql`SELECT 1 FROM replay_segments WHERE project_id = ${existing.project_id} AND replay_row = ${existing.row} AND segment_id = ${segment.segmentId}`.execute(tx);
      if (has.rows.length) return 'duplicate';
      if (existing.segments + 1 > limits.maxSegments || existing.stored_bytes + size > limits.maxReplayBytes) return 'replay_too_large';
      row = await this.update(tx, existing, segment);
    }
    await sql`INSERT INTO replay_segments (project_id, replay_row, segment_id, received_ms, event_count, first_event_ms, last_event_ms, recording_bytes, recording)
      VALUES (${segment.projectId}, ${row}, ${segment.segmentId}, ${segment.receivedMs}, ${segment.eventCount}, ${segment.firstEventMs},
        ${segment.lastEventMs}, ${segment.recordingBytes}, ${Buffer.from(segment.recording.buffer, segment.recording.byteOffset, segment.recording.byteLength)})`.execute(tx);
    if (segment.errorIds.length) {
      await sql`INSERT INTO replay_errors (project_id, replay_row, event_id)
        SELECT ${segment.projectId}, ${row}, e FROM unnest(${segment.errorIds}::text[]) AS e ON CONFLICT DO NOTHING`.execute(tx);
    }
    return 'stored';
  }

  private span(segment: ReplaySegmentInput): { start: number; end: number } {
    const start = Math.min(segment.startedMs, segment.firstEventMs ?? segment.startedMs);
    return { start, end: Math.max(start, segment.lastEventMs ?? segment.timestampMs) };
  }

  /** The new replay's row, or undefined when another process inserted it first. */
  private async insert(tx: Kysely<AllTables>, s: ReplaySegmentInput): Promise<number | undefined> {
    const { start, end } = this.span(s);
    const { rows } = await sql<{ row: number }>`
      INSERT INTO replays (project_id, replay_id, started_ms, finished_ms, segments, stored_bytes, recording_bytes, replay_type,
        environment, release, platform, user_id, user_email, user_username, user_ip, session_id, window_id, urls, trace_ids, tags)
      VALUES (${s.projectId}, ${s.replayId}, ${start}, ${end}, 1, ${s.recording.byteLength}, ${s.recordingBytes}, ${s.replayType},
        ${s.environment}, ${s.release}, ${s.platform}, ${s.user?.id ?? null}, ${s.user?.email ?? null}, ${s.user?.username ?? null},
        ${s.user?.ipAddress ?? null}, ${s.sessionId}, ${s.windowId}, ${json(s.urls.slice(0, MAX_URLS))}, ${json(s.traceIds.slice(0, MAX_TRACE_IDS))},
        ${json(s.tags)})
      ON CONFLICT (project_id, replay_id) DO NOTHING
      RETURNING row`.execute(tx);
    return rows[0]?.row;
  }

  private async update(tx: Kysely<AllTables>, r: ReplayRow, s: ReplaySegmentInput): Promise<number> {
    const { start, end } = this.span(s);
    const tags = { ...r.tags };
    for (const [key, value] of Object.entries(s.tags)) if (key in tags || Object.keys(tags).length < MAX_TAGS) tags[key] = value;
    await sql`UPDATE replays SET started_ms = ${Math.min(r.started_ms, start)}, finished_ms = ${Math.max(r.finished_ms, end)},
        segments = segments + 1, stored_bytes = stored_bytes + ${s.recording.byteLength}, recording_bytes = recording_bytes + ${s.recordingBytes},
        replay_type = coalesce(${s.replayType}, replay_type), environment = coalesce(${s.environment}, environment),
        release = coalesce(${s.release}, release), platform = coalesce(${s.platform}, platform), user_id = coalesce(${s.user?.id ?? null}, user_id),
        user_email = coalesce(${s.user?.email ?? null}, user_email), user_username = coalesce(${s.user?.username ?? null}, user_username),
        user_ip = coalesce(${s.user?.ipAddress ?? null}, user_ip), session_id = coalesce(session_id, ${s.sessionId}),
        window_id = coalesce(window_id, ${s.windowId}), urls = ${json(union(r.urls, s.urls, MAX_URLS))},
        trace_ids = ${json(union(r.trace_ids, s.traceIds, MAX_TRACE_IDS))}, tags = ${json(tags)}
      WHERE project_id = ${r.project_id} AND row = ${r.row}`.execute(tx);
    return r.row;
  }

  /**
   * The errors of a replay: those its segments name (error_ids) and the events that carry its id
   * in the `replayId` tag (what @sentry/browser and our SDK set on every error during a replay),
   * so an error sent after the replay's last segment is still found.
   */
  private async errorIds(row: ReplayRow): Promise<string[]> {
    const [named, tagged] = await Promise.all([
      sql<{ event_id: string }>`SELECT event_id FROM replay_errors WHERE project_id = ${row.project_id} AND replay_row = ${row.row}`.execute(this.db),
      sql<{ event_id: string }>`SELECT encode(e.event_id, 'hex') AS event_id FROM tag_values tv
          JOIN event_tags et ON et.project_id = tv.project_id AND et.value_id = tv.id
          JOIN events e ON e.project_id = et.project_id AND e.row = et.event_row AND e.timestamp = et.timestamp
        WHERE tv.project_id = ${row.project_id} AND tv.key = 'replayId' AND tv.value = ${row.replay_id} ORDER BY e.timestamp`.execute(this.db),
    ]);
    return [...new Set([...tagged.rows.map((r) => r.event_id), ...named.rows.map((r) => r.event_id)])];
  }

  private async summary(r: ReplayRow): Promise<ReplaySummary> {
    const user: ReplayUser = {};
    if (r.user_id) user.id = r.user_id;
    if (r.user_email) user.email = r.user_email;
    if (r.user_username) user.username = r.user_username;
    if (r.user_ip) user.ipAddress = r.user_ip;
    return {
      id: r.replay_id,
      projectId: r.project_id,
      startedAt: new Date(r.started_ms).toISOString(),
      finishedAt: new Date(r.finished_ms).toISOString(),
      duration: Math.round(r.finished_ms - r.started_ms) / 1000,
      segments: r.segments,
      errorIds: await this.errorIds(r),
      traceIds: r.trace_ids,
      user: Object.keys(user).length ? user : null,
      urls: r.urls,
      tags: r.tags,
      replayType: r.replay_type,
      environment: r.environment,
      release: r.release,
      platform: r.platform,
      sessionId: r.session_id,
      windowId: r.window_id,
      storedBytes: r.stored_bytes,
      recordingBytes: r.recording_bytes,
    };
  }

  async listReplays(query: ReplayListQuery): Promise<Page<ReplaySummary>> {
    const clauses = [sql`project_id = ${query.projectId}`, ...filterSql(query.filter)];
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      if (!c || typeof c.sortValue !== 'number' || !Number.isSafeInteger(c.id)) throw new RangeError('cursor is not valid');
      clauses.push(sql`(started_ms < ${c.sortValue} OR (started_ms = ${c.sortValue} AND row < ${c.id}))`);
    }
    const { rows } = await sql<ReplayRow>`SELECT * FROM replays WHERE ${sql.join(clauses, sql` AND `)}
      ORDER BY started_ms DESC, row DESC LIMIT ${query.limit + 1}`.execute(this.db);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: await Promise.all(page.map((r) => this.summary(r))),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.started_ms, last.row) : null,
    };
  }

  async getReplay(replayId: string, projectId: number | null): Promise<ReplaySummary | undefined> {
    const { rows } =
      projectId === null
        ? await sql<ReplayRow>`SELECT * FROM replays WHERE replay_id = ${replayId} ORDER BY row LIMIT 1`.execute(this.db)
        : await sql<ReplayRow>`SELECT * FROM replays WHERE replay_id = ${replayId} AND project_id = ${projectId}`.execute(this.db);
    return rows[0] ? this.summary(rows[0]) : undefined;
  }

  async replaySegments(projectId: number, replayId: string): Promise<Array<{ segmentId: number; recording: Uint8Array }>> {
    const { rows } = await sql<{ segment_id: number; recording: Buffer }>`SELECT s.segment_id, s.recording FROM replay_segments s
        JOIN replays r ON r.project_id = s.project_id AND r.row = s.replay_row
      WHERE r.project_id = ${projectId} AND r.replay_id = ${replayId} ORDER BY s.segment_id`.execute(this.db);
    return rows.map((r) => ({ segmentId: r.segment_id, recording: r.recording }));
  }
}
