/**
 * Session replays on SQLite. Segments are written on the caller's (admin) connection in their
 * own transaction with synchronous=FULL, so a 2xx for a replay envelope means it is on disk; the
 * event writer thread is not involved (replay segments are few and large next to events: the
 * Sentry SDK sends one per ~5 s of an active page).
 */
import type Database from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ReplayFilter, ReplayLimits, ReplayListQuery, ReplaySegmentInput, ReplaySummary, ReplayUser, ReplayWriteResult } from '../replay-types.js';
import type { Page } from '../types.js';

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
  urls: string;
  trace_ids: string;
  tags: string;
}

const union = (a: string[], b: string[], max: number) => [...new Set([...a, ...b])].slice(0, max);

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

function filterSql(filter: ReplayFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const word of filter.text) {
    const like = likeEscape(word.toLowerCase());
    clauses.push(
      `(replay_id = ? OR lower(coalesce(user_id, '') || ' ' || coalesce(user_email, '') || ' ' || coalesce(user_username, '') || ' ' || coalesce(session_id, '')) LIKE ? ESCAPE '\\' OR lower(urls) LIKE ? ESCAPE '\\')`,
    );
    params.push(word.toLowerCase().replace(/-/g, ''), like, like);
  }
  for (const { key, value } of filter.fields) {
    const column = FIELD_COLUMNS[key];
    if (column) {
      clauses.push(`${column} = ?`);
      params.push(column === 'replay_id' ? value.toLowerCase().replace(/-/g, '') : value);
    } else if (key === 'url') {
      clauses.push(`EXISTS (SELECT 1 FROM json_each(urls) WHERE json_each.value LIKE ? ESCAPE '\\')`);
      params.push(likeEscape(value));
    } else {
      clauses.push(`json_extract(tags, '$."' || ? || '"') = ?`);
      params.push(key.replace(/"/g, ''), value);
    }
  }
  return { sql: clauses.length ? ` AND ${clauses.join(' AND ')}` : '', params };
}

export class ReplayQueries {
  constructor(private readonly db: Database.Database) {}

  writeSegments(segments: ReplaySegmentInput[], limits: ReplayLimits): ReplayWriteResult[] {
    const find = this.db.prepare<[number, string], ReplayRow>('SELECT * FROM replays WHERE project_id = ? AND replay_id = ?');
    const hasSegment = this.db.prepare<[number, number]>('SELECT 1 FROM replay_segments WHERE replay_row = ? AND segment_id = ?').pluck();
    const insertSegment = this.db.prepare(
      `INSERT INTO replay_segments (replay_row, segment_id, received_ms, event_count, first_event_ms, last_event_ms, recording_bytes, recording)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertError = this.db.prepare('INSERT OR IGNORE INTO replay_errors (replay_row, event_id) VALUES (?, ?)');
    const write = this.db.transaction((): ReplayWriteResult[] =>
      segments.map((segment) => {
        const existing = find.get(segment.projectId, segment.replayId);
        const size = segment.recording.byteLength;
        if (existing && hasSegment.get(existing.row, segment.segmentId)) return 'duplicate';
        if (existing && (existing.segments + 1 > limits.maxSegments || existing.stored_bytes + size > limits.maxReplayBytes)) return 'replay_too_large';
        if (!existing && size > limits.maxReplayBytes) return 'replay_too_large';
        const row = existing ? this.update(existing, segment) : this.insert(segment);
        insertSegment.run(
          row,
          segment.segmentId,
          segment.receivedMs,
          segment.eventCount,
          segment.firstEventMs,
          segment.lastEventMs,
          segment.recordingBytes,
          Buffer.from(segment.recording.buffer, segment.recording.byteOffset, segment.recording.byteLength),
        );
        for (const id of segment.errorIds) insertError.run(row, id);
        return 'stored';
      }),
    );
    return write.immediate();
  }

  private span(segment: ReplaySegmentInput): { start: number; end: number } {
    const start = Math.min(segment.startedMs, segment.firstEventMs ?? segment.startedMs);
    return { start, end: Math.max(start, segment.lastEventMs ?? segment.timestampMs) };
  }

  private insert(s: ReplaySegmentInput): number {
    const { start, end } = this.span(s);
    const result = this.db
      .prepare(
        `INSERT INTO replays (project_id, replay_id, started_ms, finished_ms, segments, stored_bytes, recording_bytes, replay_type,
           environment, release, platform, user_id, user_email, user_username, user_ip, session_id, window_id, urls, trace_ids, tags)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.projectId, s.replayId, start, end, s.recording.byteLength, s.recordingBytes, s.replayType, s.environment, s.release, s.platform,
        s.user?.id ?? null, s.user?.email ?? null, s.user?.username ?? null, s.user?.ipAddress ?? null, s.sessionId, s.windowId,
        JSON.stringify(s.urls.slice(0, MAX_URLS)), JSON.stringify(s.traceIds.slice(0, MAX_TRACE_IDS)), JSON.stringify(s.tags),
      );
    return Number(result.lastInsertRowid);
  }

  private update(r: ReplayRow, s: ReplaySegmentInput): number {
    const { start, end } = this.span(s);
    const tags = { ...(JSON.parse(r.tags) as Record<string, string>) };
    for (const [key, value] of Object.entries(s.tags)) if (key in tags || Object.keys(tags).length < MAX_TAGS) tags[key] = value;
    this.db
      .prepare(
        `UPDATE replays SET started_ms = ?, finished_ms = ?, segments = segments + 1, stored_bytes = stored_bytes + ?,
           recording_bytes = recording_bytes + ?, replay_type = coalesce(?, replay_type), environment = coalesce(?, environment),
           release = coalesce(?, release), platform = coalesce(?, platform), user_id = coalesce(?, user_id),
           user_email = coalesce(?, user_email), user_username = coalesce(?, user_username), user_ip = coalesce(?, user_ip),
           session_id = coalesce(session_id, ?), window_id = coalesce(window_id, ?), urls = ?, trace_ids = ?, tags = ?
         WHERE row = ?`,
      )
      .run(
        Math.min(r.started_ms, start), Math.max(r.finished_ms, end), s.recording.byteLength, s.recordingBytes, s.replayType, s.environment,
        s.release, s.platform, s.user?.id ?? null, s.user?.email ?? null, s.user?.username ?? null, s.user?.ipAddress ?? null,
        s.sessionId, s.windowId,
        JSON.stringify(union(JSON.parse(r.urls) as string[], s.urls, MAX_URLS)),
        JSON.stringify(union(JSON.parse(r.trace_ids) as string[], s.traceIds, MAX_TRACE_IDS)),
        JSON.stringify(tags), r.row,
      );
    return r.row;
  }

  /**
   * The errors of a replay: those its segments name (error_ids) and the events that carry its id
   * in the `replayId` tag (what @sentry/browser and our SDK set on every error during a replay),
   * so an error sent after the replay's last segment is still found.
   */
  private errorIds(row: ReplayRow): string[] {
    const named = this.db.prepare<[number], string>('SELECT event_id FROM replay_errors WHERE replay_row = ?').pluck().all(row.row);
    const tagged = this.db
      .prepare<[number, string], string>(
        `SELECT lower(hex(e.event_id)) FROM tag_values tv JOIN event_tags et ON et.value_id = tv.id JOIN events e ON e.row = et.event_row
         WHERE tv.project_id = ? AND tv.key = 'replayId' AND tv.value = ? ORDER BY e.timestamp`,
      )
      .pluck()
      .all(row.project_id, row.replay_id);
    return [...new Set([...tagged, ...named])];
  }

  private summary(r: ReplayRow): ReplaySummary {
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
      errorIds: this.errorIds(r),
      traceIds: JSON.parse(r.trace_ids) as string[],
      user: Object.keys(user).length ? user : null,
      urls: JSON.parse(r.urls) as string[],
      tags: JSON.parse(r.tags) as Record<string, string>,
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

  listReplays(query: ReplayListQuery): Page<ReplaySummary> {
    const { sql, params } = filterSql(query.filter);
    let cursorSql = '';
    const cursorParams: unknown[] = [];
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      if (!c || typeof c.sortValue !== 'number') throw new RangeError('cursor is not valid');
      cursorSql = ' AND (started_ms < ? OR (started_ms = ? AND row < ?))';
      cursorParams.push(c.sortValue, c.sortValue, c.id);
    }
    const rows = this.db
      .prepare<unknown[], ReplayRow>(
        `SELECT * FROM replays WHERE project_id = ?${sql}${cursorSql} ORDER BY started_ms DESC, row DESC LIMIT ?`,
      )
      .all(query.projectId, ...params, ...cursorParams, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.summary(r)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.started_ms, last.row) : null,
    };
  }

  getReplay(replayId: string, projectId: number | null): ReplaySummary | undefined {
    const row =
      projectId === null
        ? this.db.prepare<[string], ReplayRow>('SELECT * FROM replays WHERE replay_id = ? ORDER BY row LIMIT 1').get(replayId)
        : this.db.prepare<[string, number], ReplayRow>('SELECT * FROM replays WHERE replay_id = ? AND project_id = ?').get(replayId, projectId);
    return row ? this.summary(row) : undefined;
  }

  replaySegments(projectId: number, replayId: string): Array<{ segmentId: number; recording: Uint8Array }> {
    return this.db
      .prepare<[number, string], { segment_id: number; recording: Buffer }>(
        `SELECT s.segment_id, s.recording FROM replay_segments s JOIN replays r ON r.row = s.replay_row
         WHERE r.project_id = ? AND r.replay_id = ? ORDER BY s.segment_id`,
      )
      .all(projectId, replayId)
      .map((r) => ({ segmentId: r.segment_id, recording: r.recording }));
  }
}
