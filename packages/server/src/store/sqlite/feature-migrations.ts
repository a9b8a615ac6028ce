/**
 * The migrations that came with the product's features after the event, issue, tag and trace core
 * (schema.ts holds that core and appends these in order). Same rules as there: never edit a
 * shipped migration; append the next one at the end, with the same table in the other backend.
 */
export const FEATURE_MIGRATIONS: string[] = [
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
  // Rate limits shared by every server process (issue 17, docs/scaling.md): one token bucket per
  // project or key. Only PostgreSQL installs run several processes; SQLite has the table for the
  // same store contract (and a later move), its single process keeps its buckets in memory.
  `
  CREATE TABLE rate_limit_buckets (
    scope TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    granted REAL NOT NULL,
    at REAL NOT NULL,
    burst REAL NOT NULL,
    per_minute REAL NOT NULL
  ) WITHOUT ROWID;
  `,
  // Fingerprint rules (issue 19, docs/grouping.md#fingerprint-rules): one rules text per project,
  // parsed and cached by each server process; the API bounds the text (64 KB, 500 rules) before it
  // is stored, and the CHECK keeps a writer that skipped the API from storing more.
  `
  CREATE TABLE project_fingerprint_rules (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id),
    rules TEXT NOT NULL CHECK (length(CAST(rules AS BLOB)) <= 65536),
    updated_at INTEGER NOT NULL
  );
  `,
  // Triage (docs/triage.md): an issue's assignee (a user; unset when the user is deleted) and its
  // activity history (status changes, assignment, merges, regressions), newest read first. A merged
  // issue points at the issue it was merged into; an event moved by a merge (or grouped into the
  // merged issue later) keeps the issue of its own fingerprint in origin_issue_id, for unmerge; so
  // does a comment moved by a merge. Issues already there get their first line of history.
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
  ALTER TABLE issue_comments ADD COLUMN origin_issue_id INTEGER;
  INSERT INTO issue_activity (project_id, issue_id, at, kind, actor_user_id, actor, data)
    SELECT project_id, id, first_seen, 'first_seen', NULL, '', json_object('release', first_release) FROM issues ORDER BY id;
  `,
];
