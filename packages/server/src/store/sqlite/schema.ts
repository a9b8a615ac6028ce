import type Database from 'better-sqlite3';
import { FEATURE_MIGRATIONS } from './feature-migrations.js';

/**
 * Migrations, applied in order and recorded in PRAGMA user_version. Never edit a shipped
 * migration; add the next one at the end of feature-migrations.ts.
 *
 * Layout choices (measured on the 1M-event bench set):
 * - Tag values are interned once per project (tag_values) so per-event rows are two integers.
 * - issue_tag_values keeps per-issue counts at write time: a distribution never scans events, and
 *   its (value_id, issue_id) index answers "issues with tier=enterprise" directly.
 * - event ids are 16-byte blobs and payloads are deflated JSON, to keep disk per event small.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE project_keys (
    public_key TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    label TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX project_keys_project ON project_keys(project_id);
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    project_id INTEGER REFERENCES projects(id),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    fingerprint TEXT NOT NULL,
    grouping_version TEXT NOT NULL,
    title TEXT NOT NULL,
    culprit TEXT NOT NULL,
    type TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unresolved',
    is_regressed INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0,
    user_count INTEGER NOT NULL DEFAULT 0,
    account_count INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    first_release TEXT,
    last_release TEXT,
    UNIQUE (project_id, grouping_version, fingerprint)
  );
  CREATE INDEX issues_project_last_seen ON issues(project_id, last_seen DESC);
  CREATE INDEX issues_project_first_seen ON issues(project_id, first_seen DESC);
  CREATE INDEX issues_project_count ON issues(project_id, count DESC);
  CREATE TABLE events (
    row INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    issue_id INTEGER NOT NULL,
    event_id BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    received INTEGER NOT NULL,
    trace_id BLOB,
    payload BLOB NOT NULL
  );
  CREATE UNIQUE INDEX events_project_event_id ON events(project_id, event_id);
  CREATE INDEX events_issue_time ON events(issue_id, timestamp);
  CREATE INDEX events_project_time ON events(project_id, timestamp);
  CREATE TABLE tag_values (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (project_id, key, value)
  );
  CREATE TABLE event_tags (
    value_id INTEGER NOT NULL,
    event_row INTEGER NOT NULL,
    PRIMARY KEY (value_id, event_row)
  ) WITHOUT ROWID;
  CREATE TABLE issue_tag_values (
    issue_id INTEGER NOT NULL,
    value_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (issue_id, value_id)
  ) WITHOUT ROWID;
  CREATE INDEX issue_tag_values_value ON issue_tag_values(value_id, issue_id);
  CREATE TABLE issue_users (
    issue_id INTEGER NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (issue_id, user_key)
  ) WITHOUT ROWID;
  CREATE TABLE issue_accounts (
    issue_id INTEGER NOT NULL,
    account_key TEXT NOT NULL,
    PRIMARY KEY (issue_id, account_key)
  ) WITHOUT ROWID;
  CREATE TABLE raw_items (
    row INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    received INTEGER NOT NULL,
    event_id TEXT,
    trace_id TEXT,
    payload BLOB NOT NULL
  );
  CREATE INDEX raw_items_project_type ON raw_items(project_id, type, received);
  CREATE TABLE item_counts (
    project_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    day INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, type, day)
  ) WITHOUT ROWID;
  `,
  // Hourly counts per issue, kept at write time: trends and sparklines read at most a few hundred
  // rows instead of scanning a busy issue's events.
  `
  CREATE TABLE issue_hours (
    issue_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (issue_id, hour)
  ) WITHOUT ROWID;
  INSERT INTO issue_hours (issue_id, hour, count)
    SELECT issue_id, timestamp / 3600000, count(*) FROM events GROUP BY issue_id, timestamp / 3600000;
  `,
  // Hourly counts per tag value and per project, kept at write time: the baselines of tag
  // correlation, per-value trends and project-wide distributions over a time window.
  `
  CREATE TABLE tag_value_hours (
    value_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (value_id, hour)
  ) WITHOUT ROWID;
  CREATE TABLE project_hours (
    project_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour)
  ) WITHOUT ROWID;
  INSERT INTO tag_value_hours (value_id, hour, count)
    SELECT et.value_id, e.timestamp / 3600000, count(*) FROM event_tags et JOIN events e ON e.row = et.event_row
    GROUP BY et.value_id, e.timestamp / 3600000;
  INSERT INTO project_hours (project_id, hour, count)
    SELECT project_id, timestamp / 3600000, count(*) FROM events GROUP BY project_id, timestamp / 3600000;
  `,
  // A 48-bit hash of the event's user key, so analytics can count distinct users per tag value
  // without storing the key on every event.
  `
  ALTER TABLE events ADD COLUMN user_hash INTEGER;
  `,
  // Traces (issue 7). A trace row is assembled from spans that may arrive in several envelopes;
  // tags are mutable, metadata write-once. Tag rows carry project_id so "traces with tag x = v"
  // is one index range without touching traces.
  `
  CREATE TABLE traces (
    row INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    trace_id BLOB NOT NULL,
    name TEXT,
    status TEXT NOT NULL DEFAULT 'UNSET',
    timestamp_ms INTEGER NOT NULL,
    execution_time_ms INTEGER NOT NULL,
    span_count INTEGER NOT NULL DEFAULT 0,
    start_ms REAL NOT NULL,
    end_ms REAL NOT NULL,
    root_span_id BLOB,
    root_kind INTEGER NOT NULL DEFAULT 0,
    root_status TEXT,
    error_spans INTEGER NOT NULL DEFAULT 0,
    UNIQUE (trace_id, project_id)
  );
  CREATE INDEX traces_project_time ON traces(project_id, timestamp_ms);
  CREATE INDEX traces_project_duration ON traces(project_id, execution_time_ms);
  CREATE TABLE spans (
    trace_row INTEGER NOT NULL,
    span_id BLOB NOT NULL,
    parent_span_id BLOB,
    name TEXT NOT NULL,
    op TEXT,
    status TEXT NOT NULL,
    start_ms REAL NOT NULL,
    end_ms REAL NOT NULL,
    data TEXT,
    PRIMARY KEY (trace_row, span_id)
  ) WITHOUT ROWID;
  CREATE INDEX spans_name ON spans(name, trace_row);
  CREATE INDEX spans_op ON spans(op, trace_row);
  CREATE TABLE trace_tags (
    trace_row INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (trace_row, key)
  ) WITHOUT ROWID;
  CREATE INDEX trace_tags_value ON trace_tags(project_id, key, value, trace_row);
  CREATE TABLE trace_metadata (
    trace_row INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (trace_row, key)
  ) WITHOUT ROWID;
  CREATE INDEX trace_metadata_value ON trace_metadata(project_id, key, value, trace_row);
  CREATE TABLE logs (
    row INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    timestamp_ms REAL NOT NULL,
    level TEXT NOT NULL,
    severity INTEGER,
    body TEXT NOT NULL,
    trace_id BLOB,
    span_id BLOB,
    attributes TEXT
  );
  CREATE INDEX logs_project_time ON logs(project_id, timestamp_ms);
  CREATE INDEX logs_trace_time ON logs(trace_id, timestamp_ms) WHERE trace_id IS NOT NULL;
  `,
  // Trace search picks the most selective indexed condition to drive from (trace-plan.ts);
  // status = 'ERROR' is often that one.
  `
  CREATE INDEX traces_project_status ON traces(project_id, status, timestamp_ms);
  `,
  // Identity tags (user.*, account.*) leave the per-issue counts: see IDENTITY_TAG_KEYS.
  `
  DELETE FROM issue_tag_values WHERE value_id IN (
    SELECT id FROM tag_values WHERE key IN ('user.id', 'user.email', 'user.username', 'account.id', 'account.name'));
  `,
  // Derived rows (event tags, counts) are applied every few hundred milliseconds under load; what
  // is gathered but not yet applied is journaled here with its events (derived-rows.ts).
  // AUTOINCREMENT: a batch id is never reused, so deleting a batch by id proves it was not applied.
  // Not yet shipped when it was given AUTOINCREMENT, so edited in place.
  `
  CREATE TABLE derived_journal (
    batch INTEGER PRIMARY KEY AUTOINCREMENT,
    entries TEXT NOT NULL
  );
  `,
  // The newest event row when the status was last set. Counts may be applied after a
  // status change (derived-rows.ts); only events committed after it reopen a resolved issue. This
  // relies on event rows never being reused: deletion keeps it true by blanking the newest row
  // instead of deleting it (lifecycle-queries.ts).
  `
  ALTER TABLE issues ADD COLUMN status_row INTEGER NOT NULL DEFAULT 0;
  `,
  ...FEATURE_MIGRATIONS,
];

/** The user_version a fully migrated database has. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Settings every connection gets. WAL lets the API read while the writer commits. */
export function configureConnection(db: Database.Database, role: 'writer' | 'reader' | 'admin'): void {
  // Only takes effect on a new, empty database (before WAL fixes the page size). An event row is
  // ~1.8 KB, so a 4 KiB page holds two and wastes ~300 B per event; a 16 KiB page holds nine.
  // Measured on the ingest bench: 2,351 -> 2,133 B per event.
  db.pragma('page_size = 16384');
  // Also only on a new database: pages freed by retention and deletion go back to the file system
  // with `PRAGMA incremental_vacuum` (lifecycle-queries.ts) instead of a full VACUUM.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the ingest acknowledges it, so a crash or power loss after a
  // 2xx loses nothing. Group commit pays the fsync once per batch.
  db.pragma(`synchronous = ${role === 'reader' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (role !== 'admin') db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
}
