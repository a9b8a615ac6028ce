/**
 * `proliferate migrate --from-sqlite DIR`: copies a SQLite install into PostgreSQL, keeping every
 * id (links to issues, events and traces stay valid). Each table is copied in key order, a chunk
 * per transaction, and the chunk's last key is saved in the same transaction (sqlite_import), so
 * an interrupted copy resumes where it stopped; rows already there are skipped (ON CONFLICT DO
 * NOTHING). At the end, row counts of both databases are compared table by table.
 *
 * The SQLite server must be stopped: derived rows it had not applied yet are applied first by
 * opening the SQLite store once (its writer replays its journal), then the file is read only.
 */
import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

type Row = Record<string, unknown>;
type Key = Array<number | Buffer | string>;

interface TableCopy {
  /** Table in PostgreSQL (and its name for progress). */
  name: string;
  /** Key columns of the SQLite select, in order; the chunk's last row's values resume the copy. */
  key: string[];
  /** SELECT of the rows, without WHERE: `WHERE (key) > (?) ORDER BY key LIMIT ?` is added. */
  select: string;
  count: string;
  /** PostgreSQL columns, in the order the rows give them. */
  columns: string[];
  convert?: (row: Row) => Row;
  /** Also written for each copied chunk (event ids for events). */
  also?: { name: string; columns: string[]; convert: (row: Row) => Row };
  /** PostgreSQL count to compare with `count` (default: count(*) of `name`). */
  verify?: string;
}

const bool = (v: unknown) => v === 1 || v === true;
const json = (v: unknown) => (v === null || v === undefined ? null : String(v));

const TABLES: TableCopy[] = [
  { name: 'projects', key: ['id'], select: 'SELECT id, slug, name, created_at FROM projects', count: 'SELECT count(*) AS n FROM projects', columns: ['id', 'slug', 'name', 'created_at'] },
  {
    name: 'project_keys', key: ['public_key'], select: 'SELECT public_key, project_id, label, is_active, created_at FROM project_keys', count: 'SELECT count(*) AS n FROM project_keys',
    columns: ['public_key', 'project_id', 'label', 'is_active', 'created_at'], convert: (r) => ({ ...r, is_active: bool(r.is_active) }),
  },
  { name: 'api_tokens', key: ['id'], select: 'SELECT id, name, token_hash, project_id, created_at FROM api_tokens', count: 'SELECT count(*) AS n FROM api_tokens', columns: ['id', 'name', 'token_hash', 'project_id', 'created_at'] },
  {
    name: 'issues', key: ['id'],
    select: `SELECT id, project_id, fingerprint, grouping_version, title, culprit, type, level, status, is_regressed, count, user_count, account_count,
      first_seen, last_seen, first_release, last_release, resolution_kind, resolved_in_release, resolved_release_floor, merged_into FROM issues`,
    count: 'SELECT count(*) AS n FROM issues',
    columns: ['id', 'project_id', 'fingerprint', 'grouping_version', 'title', 'culprit', 'type', 'level', 'status', 'is_regressed', 'count', 'user_count', 'account_count', 'first_seen', 'last_seen', 'first_release', 'last_release', 'resolution_kind', 'resolved_in_release', 'resolved_release_floor', 'merged_into'],
    convert: (r) => ({ ...r, is_regressed: bool(r.is_regressed) }),
  },
  { name: 'tag_values', key: ['id'], select: 'SELECT id, project_id, key, value FROM tag_values', count: 'SELECT count(*) AS n FROM tag_values', columns: ['id', 'project_id', 'key', 'value'] },
  {
    name: 'events', key: ['row'],
    select: 'SELECT row, project_id, issue_id, event_id, timestamp, received, trace_id, payload, user_hash, origin_issue_id FROM events',
    count: 'SELECT count(*) AS n FROM events',
    columns: ['row', 'project_id', 'issue_id', 'event_id', 'timestamp', 'received', 'trace_id', 'payload', 'user_hash', 'origin_issue_id'],
    also: { name: 'event_ids', columns: ['project_id', 'event_id', 'issue_id', 'timestamp'], convert: (r) => r },
  },
  {
    name: 'event_tags', key: ['value_id', 'event_row'],
    select: 'SELECT et.value_id, et.event_row, e.project_id, e.timestamp, e.issue_id FROM event_tags et JOIN events e ON e.row = et.event_row',
    count: 'SELECT count(*) AS n FROM event_tags', columns: ['value_id', 'event_row', 'project_id', 'timestamp', 'issue_id'],
  },
  {
    name: 'issue_tag_values', key: ['issue_id', 'value_id'],
    select: 'SELECT itv.issue_id, itv.value_id, i.project_id, itv.count, itv.first_seen, itv.last_seen FROM issue_tag_values itv JOIN issues i ON i.id = itv.issue_id',
    count: 'SELECT count(*) AS n FROM issue_tag_values', columns: ['issue_id', 'value_id', 'project_id', 'count', 'first_seen', 'last_seen'],
  },
  {
    name: 'issue_users', key: ['issue_id', 'user_key'], select: 'SELECT u.issue_id, u.user_key, i.project_id FROM issue_users u JOIN issues i ON i.id = u.issue_id',
    count: 'SELECT count(*) AS n FROM issue_users', columns: ['issue_id', 'user_key', 'project_id'],
  },
  {
    name: 'issue_accounts', key: ['issue_id', 'account_key'], select: 'SELECT a.issue_id, a.account_key, i.project_id FROM issue_accounts a JOIN issues i ON i.id = a.issue_id',
    count: 'SELECT count(*) AS n FROM issue_accounts', columns: ['issue_id', 'account_key', 'project_id'],
  },
  {
    name: 'issue_hours', key: ['issue_id', 'hour'], select: 'SELECT h.issue_id, h.hour, i.project_id, h.count FROM issue_hours h JOIN issues i ON i.id = h.issue_id',
    count: 'SELECT count(*) AS n FROM issue_hours', columns: ['issue_id', 'hour', 'project_id', 'count'],
  },
  {
    name: 'tag_value_hours', key: ['value_id', 'hour'], select: 'SELECT h.value_id, h.hour, v.project_id, h.count FROM tag_value_hours h JOIN tag_values v ON v.id = h.value_id',
    count: 'SELECT count(*) AS n FROM tag_value_hours', columns: ['value_id', 'hour', 'project_id', 'count'],
  },
  {
    name: 'tag_value_users', key: ['value_id', 'user_hash'], select: 'SELECT u.value_id, u.user_hash, v.project_id FROM tag_value_users u JOIN tag_values v ON v.id = u.value_id',
    count: 'SELECT count(*) AS n FROM tag_value_users', columns: ['value_id', 'user_hash', 'project_id'],
  },
  { name: 'project_hours', key: ['project_id', 'hour'], select: 'SELECT project_id, hour, count FROM project_hours', count: 'SELECT count(*) AS n FROM project_hours', columns: ['project_id', 'hour', 'count'] },
  { name: 'item_counts', key: ['project_id', 'type', 'day'], select: 'SELECT project_id, type, day, count FROM item_counts', count: 'SELECT count(*) AS n FROM item_counts', columns: ['project_id', 'type', 'day', 'count'] },
  {
    name: 'raw_items', key: ['row'], select: 'SELECT row, project_id, type, received, event_id, trace_id, payload FROM raw_items', count: 'SELECT count(*) AS n FROM raw_items',
    columns: ['row', 'project_id', 'type', 'received', 'event_id', 'trace_id', 'payload'],
  },
  {
    name: 'traces', key: ['row'],
    select: `SELECT row, project_id, trace_id, name, status, timestamp_ms, execution_time_ms, span_count, start_ms, end_ms, root_span_id, root_kind,
      (SELECT start_ms FROM spans s WHERE s.trace_row = traces.row AND s.span_id = traces.root_span_id) AS root_start,
      (SELECT end_ms FROM spans s WHERE s.trace_row = traces.row AND s.span_id = traces.root_span_id) AS root_end,
      root_status, error_spans FROM traces`,
    count: 'SELECT count(*) AS n FROM traces',
    columns: ['row', 'project_id', 'trace_id', 'name', 'status', 'timestamp_ms', 'execution_time_ms', 'span_count', 'start_ms', 'end_ms', 'root_span_id', 'root_kind', 'root_start', 'root_end', 'root_status', 'error_spans'],
  },
  {
    name: 'spans', key: ['trace_row', 'span_id'],
    select: 'SELECT s.trace_row, s.span_id, t.project_id, s.start_ms, s.parent_span_id, s.name, s.op, s.status, s.end_ms, s.data FROM spans s JOIN traces t ON t.row = s.trace_row',
    count: 'SELECT count(*) AS n FROM spans',
    columns: ['trace_row', 'span_id', 'project_id', 'start_ms', 'parent_span_id', 'name', 'op', 'status', 'end_ms', 'data'],
    convert: (r) => ({ ...r, data: json(r.data) }),
  },
  { name: 'trace_tags', key: ['trace_row', 'key'], select: 'SELECT trace_row, key, project_id, value FROM trace_tags', count: 'SELECT count(*) AS n FROM trace_tags', columns: ['trace_row', 'key', 'project_id', 'value'] },
  { name: 'trace_metadata', key: ['trace_row', 'key'], select: 'SELECT trace_row, key, project_id, value FROM trace_metadata', count: 'SELECT count(*) AS n FROM trace_metadata', columns: ['trace_row', 'key', 'project_id', 'value'] },
  {
    name: 'logs', key: ['row'], select: 'SELECT row, project_id, timestamp_ms, level, severity, body, trace_id, span_id, attributes FROM logs', count: 'SELECT count(*) AS n FROM logs',
    columns: ['row', 'project_id', 'timestamp_ms', 'level', 'severity', 'body', 'trace_id', 'span_id', 'attributes'], convert: (r) => ({ ...r, attributes: json(r.attributes) }),
  },
  {
    name: 'releases', key: ['id'], select: 'SELECT id, project_id, version, created_at, date_released, commit_sha, repository_url, url FROM releases', count: 'SELECT count(*) AS n FROM releases',
    columns: ['id', 'project_id', 'version', 'created_at', 'date_released', 'commit_sha', 'repository_url', 'url'],
  },
  {
    name: 'deploys', key: ['id'],
    select: 'SELECT d.id, r.project_id, d.release_id, d.environment, d.name, d.url, d.date_started, d.date_finished FROM deploys d JOIN releases r ON r.id = d.release_id',
    count: 'SELECT count(*) AS n FROM deploys', columns: ['id', 'project_id', 'release_id', 'environment', 'name', 'url', 'date_started', 'date_finished'],
  },
  { name: 'upload_chunks', key: ['checksum'], select: 'SELECT checksum, data, created_at FROM upload_chunks', count: 'SELECT count(*) AS n FROM upload_chunks', columns: ['checksum', 'data', 'created_at'] },
  {
    name: 'artifact_bundles', key: ['id'], select: 'SELECT id, project_id, checksum, release, dist, size, file_count, created_at FROM artifact_bundles',
    count: 'SELECT count(*) AS n FROM artifact_bundles', columns: ['id', 'project_id', 'checksum', 'release', 'dist', 'size', 'file_count', 'created_at'],
  },
  {
    name: 'artifact_files', key: ['id'], select: 'SELECT id, project_id, bundle_id, url, type, debug_id, release, dist, sourcemap_url, size, content FROM artifact_files',
    count: 'SELECT count(*) AS n FROM artifact_files', columns: ['id', 'project_id', 'bundle_id', 'url', 'type', 'debug_id', 'release', 'dist', 'sourcemap_url', 'size', 'content'],
  },
  {
    name: 'replays', key: ['row'],
    select: `SELECT row, project_id, replay_id, started_ms, finished_ms, segments, stored_bytes, recording_bytes, replay_type, environment, release, platform,
      user_id, user_email, user_username, user_ip, session_id, window_id, urls, trace_ids, tags FROM replays`,
    count: 'SELECT count(*) AS n FROM replays',
    columns: ['row', 'project_id', 'replay_id', 'started_ms', 'finished_ms', 'segments', 'stored_bytes', 'recording_bytes', 'replay_type', 'environment', 'release', 'platform',
      'user_id', 'user_email', 'user_username', 'user_ip', 'session_id', 'window_id', 'urls', 'trace_ids', 'tags'],
  },
  {
    name: 'replay_segments', key: ['replay_row', 'segment_id'],
    select: `SELECT s.replay_row, s.segment_id, r.project_id, s.received_ms, s.event_count, s.first_event_ms, s.last_event_ms, s.recording_bytes, s.recording
      FROM replay_segments s JOIN replays r ON r.row = s.replay_row`,
    count: 'SELECT count(*) AS n FROM replay_segments',
    columns: ['replay_row', 'segment_id', 'project_id', 'received_ms', 'event_count', 'first_event_ms', 'last_event_ms', 'recording_bytes', 'recording'],
  },
  {
    name: 'replay_errors', key: ['replay_row', 'event_id'], select: 'SELECT e.replay_row, e.event_id, r.project_id FROM replay_errors e JOIN replays r ON r.row = e.replay_row',
    count: 'SELECT count(*) AS n FROM replay_errors', columns: ['replay_row', 'event_id', 'project_id'],
  },
  // Triage (docs/triage.md). Team accounts are not copied, so a comment keeps its author's name
  // without the link to the user, and private saved searches (which belong to a user) stay behind.
  {
    name: 'issue_comments', key: ['id'], select: 'SELECT id, issue_id, NULL AS user_id, author, text, created_at, updated_at, origin_issue_id FROM issue_comments',
    count: 'SELECT count(*) AS n FROM issue_comments', columns: ['id', 'issue_id', 'user_id', 'author', 'text', 'created_at', 'updated_at', 'origin_issue_id'],
  },
  {
    name: 'issue_snoozes', key: ['issue_id'],
    select: 'SELECT issue_id, project_id, until_ms, until_events, until_users, base_count, base_users, created_at, created_by FROM issue_snoozes',
    count: 'SELECT count(*) AS n FROM issue_snoozes',
    columns: ['issue_id', 'project_id', 'until_ms', 'until_events', 'until_users', 'base_count', 'base_users', 'created_at', 'created_by'],
  },
  {
    name: 'saved_searches', key: ['id'],
    // A subquery, so that the copy's own WHERE (the key it resumes after) can follow.
    select: "SELECT * FROM (SELECT id, project_id, name, query, sort, visibility, NULL AS user_id, created_by, pinned, position, created_at FROM saved_searches WHERE visibility = 'shared')",
    count: "SELECT count(*) AS n FROM saved_searches WHERE visibility = 'shared'",
    columns: ['id', 'project_id', 'name', 'query', 'sort', 'visibility', 'user_id', 'created_by', 'pinned', 'position', 'created_at'],
  },
  // Alerts: rules, what each rule last announced per issue (throttle), the outbox with its pending
  // notifications (delivered from PostgreSQL after the move) and the delivery log.
  {
    name: 'alert_rules', key: ['id'],
    select: `SELECT id, project_id, name, trigger, environments, query, threshold, window_minutes, throttle_minutes, enabled, actions, created_at,
      updated_at, last_fired_at FROM alert_rules`,
    count: 'SELECT count(*) AS n FROM alert_rules',
    columns: ['id', 'project_id', 'name', 'trigger', 'environments', 'query', 'threshold', 'window_minutes', 'throttle_minutes', 'enabled', 'actions',
      'created_at', 'updated_at', 'last_fired_at'],
    convert: (r) => ({ ...r, enabled: bool(r.enabled) }),
  },
  {
    name: 'alert_rule_issues', key: ['rule_id', 'issue_id'],
    select: 'SELECT rule_id, issue_id, last_fired_at, suppressed, regression_status_row FROM alert_rule_issues', count: 'SELECT count(*) AS n FROM alert_rule_issues',
    columns: ['rule_id', 'issue_id', 'last_fired_at', 'suppressed', 'regression_status_row'],
  },
  {
    name: 'alert_outbox', key: ['id'],
    select: `SELECT id, rule_id, project_id, issue_id, action_index, action, message, status, attempts, created_at, next_attempt_at, finished_at
      FROM alert_outbox`,
    count: 'SELECT count(*) AS n FROM alert_outbox',
    columns: ['id', 'rule_id', 'project_id', 'issue_id', 'action_index', 'action', 'message', 'status', 'attempts', 'created_at', 'next_attempt_at', 'finished_at'],
  },
  {
    name: 'alert_attempts', key: ['id'],
    select: 'SELECT id, outbox_id, rule_id, at, action_type, target, ok, response_code, error, duration_ms FROM alert_attempts',
    count: 'SELECT count(*) AS n FROM alert_attempts',
    columns: ['id', 'outbox_id', 'rule_id', 'at', 'action_type', 'target', 'ok', 'response_code', 'error', 'duration_ms'],
    convert: (r) => ({ ...r, ok: bool(r.ok) }),
  },
  {
    name: 'project_retention', key: ['project_id'], select: 'SELECT project_id, retention_days, storage_budget_bytes FROM project_retention',
    count: 'SELECT count(*) AS n FROM project_retention', columns: ['project_id', 'retention_days', 'storage_budget_bytes'],
  },
  // Ingest policies (limits, filters, scrubbing rules) and the hourly counts of what was dropped.
  {
    name: 'ingest_policies', key: ['project_id'], select: 'SELECT project_id, policy, updated_at FROM ingest_policies',
    count: 'SELECT count(*) AS n FROM ingest_policies', columns: ['project_id', 'policy', 'updated_at'],
  },
  {
    name: 'ingest_outcomes', key: ['project_id', 'hour', 'outcome', 'reason', 'category'],
    select: 'SELECT project_id, hour, outcome, reason, category, count FROM ingest_outcomes',
    count: 'SELECT count(*) AS n FROM ingest_outcomes', columns: ['project_id', 'hour', 'outcome', 'reason', 'category', 'count'],
  },
  // The audit trail (deletions and erasures among it) moves too; as for comments, the actor keeps
  // its name without the link to an account that is not copied.
  {
    name: 'audit_log', key: ['id'], select: 'SELECT id, at, action, NULL AS actor_user_id, actor, target, ip, details FROM audit_log',
    count: 'SELECT count(*) AS n FROM audit_log', columns: ['id', 'at', 'action', 'actor_user_id', 'actor', 'target', 'ip', 'details'],
  },
  {
    name: 'project_fingerprint_rules', key: ['project_id'], select: 'SELECT project_id, rules, updated_at FROM project_fingerprint_rules',
    count: 'SELECT count(*) AS n FROM project_fingerprint_rules', columns: ['project_id', 'rules', 'updated_at'],
  },
  {
    name: 'issue_activity', key: ['id'], select: 'SELECT id, project_id, issue_id, at, kind, actor_user_id, actor, data FROM issue_activity',
    count: 'SELECT count(*) AS n FROM issue_activity', columns: ['id', 'project_id', 'issue_id', 'at', 'kind', 'actor_user_id', 'actor', 'data'],
  },
];

/**
 * SQLite tables deliberately not copied, with the reason. copy-from-sqlite.test.ts fails when a
 * SQLite table is in neither list, so that a new table cannot be forgotten by the move.
 */
export const SKIPPED_TABLES: Record<string, string> = {
  sqlite_sequence: 'SQLite bookkeeping of AUTOINCREMENT; PostgreSQL sequences are set after the copy (SEQUENCES)',
  derived_journal: 'the SQLite writer replays its journal when the store is opened before the copy; nothing is left pending in it',
  rate_limit_buckets: 'rate-limit token buckets are transient (a minute of state); on the new server they start full',
  alert_cursor: 'PostgreSQL keeps its own cursor (transaction ids); it is moved past the copied events at the end',
  users: 'team accounts are not copied: people sign in again (or are invited) on the new server',
  sessions: 'sign-in sessions belong to the accounts, which are not copied',
  project_members: 'memberships belong to the accounts, which are not copied',
  one_time_links: 'invitations and reset links are short-lived and tied to the accounts, which are not copied',
};

/** The names of the SQLite tables the copy reads (for the completeness test). */
export const COPIED_TABLES: string[] = TABLES.map((t) => t.name);

/** Identity columns whose sequences must continue after the copied ids. */
const SEQUENCES: Array<[string, string]> = [['projects', 'id'], ['api_tokens', 'id'], ['issues', 'id'], ['tag_values', 'id'], ['events', 'row'], ['raw_items', 'row'], ['traces', 'row'], ['logs', 'row'],
  ['releases', 'id'], ['deploys', 'id'], ['artifact_bundles', 'id'], ['artifact_files', 'id'], ['replays', 'row'], ['issue_comments', 'id'], ['saved_searches', 'id'],
  ['alert_rules', 'id'], ['alert_outbox', 'id'], ['alert_attempts', 'id'], ['audit_log', 'id'], ['issue_activity', 'id']];

/** PostgreSQL accepts at most 65,535 parameters in a statement. */
const MAX_PARAMETERS = 60_000;
const MAX_CHUNK = 2_000;

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
}

export interface CopyReport {
  tables: Array<{ name: string; sqlite: number; postgres: number }>;
  ok: boolean;
}

export async function copyFromSqlite(sqlitePath: string, db: Kysely<Tables>, onProgress: (p: CopyProgress) => void): Promise<CopyReport> {
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    await sql`CREATE TABLE IF NOT EXISTS sqlite_import (table_name text PRIMARY KEY, last_key jsonb NOT NULL, copied bigint NOT NULL)`.execute(db);
    for (const table of TABLES) await copyTable(source, db, table, onProgress);
    for (const [table, column] of SEQUENCES) {
      await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), coalesce((SELECT max(${sql.ref(column)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
    }
    // Copied events are history: their rows got the copy's transaction ids, so the alert cursor moves
    // past them (an evaluator must not announce a year of old issues as new).
    await sql`UPDATE alert_cursor SET xid = pg_current_xact_id(), event_row = (SELECT coalesce(max(row), 0) FROM events) WHERE id = 1`.execute(db);
    const tables = [];
    for (const table of [...TABLES, { name: 'event_ids', count: 'SELECT count(*) AS n FROM events' }]) {
      const expected = (source.prepare(table.count).get() as { n: number }).n;
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table.name)}`.execute(db);
      tables.push({ name: table.name, sqlite: expected, postgres: Number(rows[0]!.n) });
    }
    return { tables, ok: tables.every((t) => t.sqlite === t.postgres) };
  } finally {
    source.close();
  }
}

/** Buffers go as they are; keys are saved as JSON (Buffers as {hex}). */
const saveKey = (key: Key) => JSON.stringify(key.map((v) => (Buffer.isBuffer(v) ? { hex: v.toString('hex') } : v)));
const loadKey = (json: unknown): Key => (json as Array<number | string | { hex: string }>).map((v) => (typeof v === 'object' ? Buffer.from(v.hex, 'hex') : v));

async function copyTable(source: Database.Database, db: Kysely<Tables>, table: TableCopy, onProgress: (p: CopyProgress) => void) {
  const total = (source.prepare(table.count).get() as { n: number }).n;
  const saved = await sql<{ last_key: unknown; copied: number }>`SELECT last_key, copied FROM sqlite_import WHERE table_name = ${table.name}`.execute(db);
  let last: Key | null = saved.rows[0] ? loadKey(saved.rows[0].last_key) : null;
  let copied = saved.rows[0] ? Number(saved.rows[0].copied) : 0;
  const chunk = Math.min(MAX_CHUNK, Math.floor(MAX_PARAMETERS / (table.columns.length + (table.also?.columns.length ?? 0))));
  const keyList = table.key.map((k) => (table.select.includes(' JOIN ') ? `${table.select.match(/FROM \w+ (\w+)/)![1]}.${k}` : k)).join(', ');
  const first = source.prepare(`${table.select} ORDER BY ${keyList} LIMIT ?`);
  const next = source.prepare(`${table.select} WHERE (${keyList}) > (${table.key.map(() => '?').join(', ')}) ORDER BY ${keyList} LIMIT ?`);
  onProgress({ table: table.name, copied, total });
  for (;;) {
    const rows = (last ? next.all(...last, chunk) : first.all(chunk)) as Row[];
    if (rows.length === 0) break;
    const converted = rows.map(table.convert ?? ((r) => r));
    const lastRow = rows[rows.length - 1]!;
    last = table.key.map((k) => lastRow[k] as number | Buffer | string);
    copied += rows.length;
    await db.transaction().execute(async (tx) => {
      await insert(tx, table.name, table.columns, converted);
      if (table.also) await insert(tx, table.also.name, table.also.columns, converted.map(table.also.convert));
      await sql`INSERT INTO sqlite_import (table_name, last_key, copied) VALUES (${table.name}, ${saveKey(last!)}::jsonb, ${copied})
        ON CONFLICT (table_name) DO UPDATE SET last_key = excluded.last_key, copied = excluded.copied`.execute(tx);
    });
    onProgress({ table: table.name, copied, total });
  }
}

async function insert(tx: Kysely<Tables>, name: string, columns: string[], rows: Row[]) {
  const values = rows.map((r) => sql`(${sql.join(columns.map((c) => r[c] ?? null))})`);
  await sql`INSERT INTO ${sql.table(name)} (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${sql.join(values)} ON CONFLICT DO NOTHING`.execute(tx);
}
