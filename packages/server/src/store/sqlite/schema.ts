import type Database from 'better-sqlite3';

/**
 * Migrations, applied in order and recorded in PRAGMA user_version. Never edit a shipped
 * migration; add the next one.
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
  // Releases, deploys, source-map artifacts and resolution by release (issue 14). Release ids grow
  // in creation order, which is what "a later release" means for regressions (docs/releases.md).
  // Upload chunks are instance-wide like Sentry's (the chunk endpoint names no project) and are
  // deleted once assembled; artifact files are kept unpacked so symbolication reads one row.
  `
  CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    version TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    date_released INTEGER,
    commit_sha TEXT,
    repository_url TEXT,
    url TEXT,
    UNIQUE (project_id, version)
  );
  CREATE TABLE deploys (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id),
    environment TEXT NOT NULL,
    name TEXT,
    url TEXT,
    date_started INTEGER,
    date_finished INTEGER NOT NULL
  );
  CREATE INDEX deploys_release ON deploys(release_id, date_finished);
  CREATE TABLE upload_chunks (
    checksum TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE artifact_bundles (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    checksum TEXT NOT NULL,
    release TEXT,
    dist TEXT,
    size INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, checksum)
  );
  CREATE TABLE artifact_files (
    id INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES artifact_bundles(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    type TEXT NOT NULL,
    debug_id TEXT,
    release TEXT,
    dist TEXT,
    sourcemap_url TEXT,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
  );
  CREATE INDEX artifact_files_bundle ON artifact_files(bundle_id);
  CREATE INDEX artifact_files_debug_id ON artifact_files(project_id, debug_id, type) WHERE debug_id IS NOT NULL;
  CREATE INDEX artifact_files_release_url ON artifact_files(project_id, release, url);
  ALTER TABLE issues ADD COLUMN resolution_kind TEXT;
  ALTER TABLE issues ADD COLUMN resolved_in_release TEXT;
  ALTER TABLE issues ADD COLUMN resolved_release_floor INTEGER;
  `,
  // Session replays (replay-queries.ts): one row per replay with the metadata of its segments
  // folded in, each segment's rrweb events zlib-compressed, and the error events it names.
  // A replay is listed per project by start time; searches scan one project's replays.
  `
  CREATE TABLE replays (
    row INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    replay_id TEXT NOT NULL,
    started_ms REAL NOT NULL,
    finished_ms REAL NOT NULL,
    segments INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL,
    recording_bytes INTEGER NOT NULL,
    replay_type TEXT,
    environment TEXT,
    release TEXT,
    platform TEXT,
    user_id TEXT,
    user_email TEXT,
    user_username TEXT,
    user_ip TEXT,
    session_id TEXT,
    window_id TEXT,
    urls TEXT NOT NULL,
    trace_ids TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (project_id, replay_id)
  );
  CREATE INDEX replays_project_started ON replays(project_id, started_ms);
  CREATE INDEX replays_replay_id ON replays(replay_id);
  CREATE TABLE replay_segments (
    replay_row INTEGER NOT NULL REFERENCES replays(row),
    segment_id INTEGER NOT NULL,
    received_ms REAL NOT NULL,
    event_count INTEGER NOT NULL,
    first_event_ms REAL,
    last_event_ms REAL,
    recording_bytes INTEGER NOT NULL,
    recording BLOB NOT NULL,
    PRIMARY KEY (replay_row, segment_id)
  );
  CREATE TABLE replay_errors (
    replay_row INTEGER NOT NULL REFERENCES replays(row),
    event_id TEXT NOT NULL,
    PRIMARY KEY (replay_row, event_id)
  ) WITHOUT ROWID;
  `,
  // Alerts (issue 16). The evaluator reads committed events after the cursor (one row, advanced in
  // the transaction that adds the notifications it decided), so a restart neither loses nor repeats
  // one. It starts at the newest event: upgrading does not alert on history. Outbox ids are never
  // reused (AUTOINCREMENT): receivers may use them to drop a duplicate delivery.
  `
  CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    trigger TEXT NOT NULL,
    environments TEXT NOT NULL,
    query TEXT NOT NULL,
    threshold REAL,
    window_minutes INTEGER,
    throttle_minutes INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    actions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_fired_at INTEGER
  );
  CREATE INDEX alert_rules_project ON alert_rules(project_id);
  CREATE TABLE alert_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_row INTEGER NOT NULL,
    max_issue_id INTEGER NOT NULL
  );
  INSERT INTO alert_cursor (id, event_row, max_issue_id)
    VALUES (1, (SELECT coalesce(max(row), 0) FROM events), (SELECT coalesce(max(id), 0) FROM issues));
  CREATE TABLE alert_rule_issues (
    rule_id INTEGER NOT NULL,
    issue_id INTEGER NOT NULL,
    last_fired_at INTEGER NOT NULL,
    suppressed INTEGER NOT NULL DEFAULT 0,
    regression_status_row INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (rule_id, issue_id)
  ) WITHOUT ROWID;
  CREATE INDEX alert_rule_issues_issue ON alert_rule_issues(issue_id);
  CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    issue_id INTEGER,
    action_index INTEGER NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX alert_outbox_due ON alert_outbox(status, next_attempt_at);
  CREATE INDEX alert_outbox_rule ON alert_outbox(rule_id, id);
  CREATE TABLE alert_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL,
    rule_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    action_type TEXT NOT NULL,
    target TEXT NOT NULL,
    ok INTEGER NOT NULL,
    response_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
  );
  CREATE INDEX alert_attempts_rule ON alert_attempts(rule_id, id);
  `,
  // Team accounts (docs/teams.md): users with an organization role, project memberships (a teams
  // table can later add memberships through a team), sessions and one-time links stored only as
  // SHA-256 hashes, personal tokens in api_tokens (user_id set), the audit log, project settings.
  // A deleted project is hidden (deleted_at) rather than purged: its events would otherwise race
  // the writer thread's pending derived rows; purging belongs with retention.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    password_hash TEXT,
    oidc_subject TEXT UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, project_id)
  ) WITHOUT ROWID;
  CREATE INDEX project_members_project ON project_members(project_id);
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
  ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,write,admin';
  ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
  CREATE INDEX api_tokens_user ON api_tokens(user_id) WHERE user_id IS NOT NULL;
  CREATE TABLE one_time_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    email TEXT,
    role TEXT,
    project_ids TEXT NOT NULL DEFAULT '[]',
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL DEFAULT '{}',
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    target TEXT,
    ip TEXT,
    details TEXT NOT NULL DEFAULT '{}'
  );
  ALTER TABLE projects ADD COLUMN description TEXT NOT NULL DEFAULT '';
  ALTER TABLE projects ADD COLUMN platform TEXT;
  ALTER TABLE projects ADD COLUMN repo_url TEXT;
  ALTER TABLE projects ADD COLUMN repo_branch TEXT;
  ALTER TABLE projects ADD COLUMN deleted_at INTEGER;
  `,
  // Triage (issue 19, docs/triage.md): comments, snoozes and saved searches; store/triage/queries.ts
  // reads them on every backend. A snooze keeps the count and users when it was made, so
  // "100 more events" is measured from there.
  `
  CREATE TABLE issue_comments (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER
  );
  CREATE INDEX issue_comments_issue ON issue_comments(issue_id, id);
  CREATE TABLE issue_snoozes (
    issue_id INTEGER PRIMARY KEY REFERENCES issues(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL,
    until_ms INTEGER,
    until_events INTEGER,
    until_users INTEGER,
    base_count INTEGER NOT NULL,
    base_users INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE INDEX issue_snoozes_project ON issue_snoozes(project_id);
  CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    sort TEXT,
    visibility TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX saved_searches_project ON saved_searches(project_id, position);
  `,
  // Issue 17 (quotas, filters, scrubbing): one policy document per project, and hourly counts of
  // what ingest dropped (filters, limits) or the SDKs reported dropping (client reports).
  `
  CREATE TABLE ingest_policies (
    project_id INTEGER PRIMARY KEY,
    policy TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE ingest_outcomes (
    project_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    category TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, outcome, reason, category)
  ) WITHOUT ROWID;
  `,
  // Distinct users per tag value, kept at apply time with the other derived rows: a project-wide
  // distribution with no filter reads its events from tag_value_hours, its issues from
  // issue_tag_values and its users here, instead of joining every event of the project (1.4-1.9 s
  // at 1,000,000 events, docs/benchmarks.md). Keyed by the events' 48-bit user_hash.
  `
  CREATE TABLE tag_value_users (
    value_id INTEGER NOT NULL,
    user_hash INTEGER NOT NULL,
    PRIMARY KEY (value_id, user_hash)
  ) WITHOUT ROWID;
  INSERT INTO tag_value_users (value_id, user_hash)
    SELECT DISTINCT et.value_id, e.user_hash FROM event_tags et JOIN events e ON e.row = et.event_row
    JOIN tag_values tv ON tv.id = et.value_id
    WHERE e.user_hash IS NOT NULL AND tv.key NOT IN ('user.id', 'user.email', 'user.username', 'account.id', 'account.name') ORDER BY 1, 2;
  `,
  // Data lifecycle (issue 17, docs/operations.md): per-project retention and storage budget, and an
  // index from an event row to its tag rows, without which deleting one event (retention, erasure)
  // scans every tag row of the database. It costs one more index entry per tag row on ingest.
  `
  CREATE TABLE project_retention (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id),
    retention_days INTEGER,
    storage_budget_bytes INTEGER
  );
  CREATE INDEX event_tags_row ON event_tags(event_row);
  `,
  // Triage (docs/triage.md): an issue's assignee (a user; unset when the user is deleted) and its
  // activity history (status changes, assignment, merges, regressions), newest read first. A merged
  // issue points at the issue it was merged into; an event moved by a merge (or grouped into the
  // merged issue later) keeps the issue of its own fingerprint in origin_issue_id, for unmerge.
  `
  ALTER TABLE issues ADD COLUMN assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
  CREATE INDEX issues_project_assignee ON issues(project_id, assignee_id) WHERE assignee_id IS NOT NULL;
  CREATE TABLE issue_activity (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    issue_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX issue_activity_issue ON issue_activity(issue_id, id);
  ALTER TABLE issues ADD COLUMN merged_into INTEGER;
  CREATE INDEX issues_merged_into ON issues(merged_into) WHERE merged_into IS NOT NULL;
  ALTER TABLE events ADD COLUMN origin_issue_id INTEGER;
  CREATE INDEX events_origin_issue ON events(origin_issue_id) WHERE origin_issue_id IS NOT NULL;
  `,
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
