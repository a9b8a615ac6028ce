import type { Generated } from 'kysely';
import type { IssueActivityTable } from '../triage/tables.js';

/** Column types of the SQLite schema, for Kysely. Times are epoch milliseconds. */
export interface Tables {
  projects: {
    id: Generated<number>;
    slug: string;
    name: string;
    created_at: number;
    description: Generated<string>;
    platform: string | null;
    repo_url: string | null;
    repo_branch: string | null;
    deleted_at: number | null;
  };
  project_keys: { public_key: string; project_id: number; label: string; is_active: Generated<number>; created_at: number };
  api_tokens: {
    id: Generated<number>;
    name: string;
    token_hash: string;
    project_id: number | null;
    created_at: number;
    user_id: number | null;
    scopes: Generated<string>;
    last_used_at: number | null;
  };
  users: {
    id: Generated<number>;
    email: string;
    name: Generated<string>;
    role: string;
    password_hash: string | null;
    oidc_subject: string | null;
    created_at: number;
  };
  project_members: { project_id: number; user_id: number; created_at: number };
  sessions: { id_hash: string; user_id: number; csrf_token: string; created_at: number; last_seen_at: number; expires_at: number };
  one_time_links: {
    id: Generated<number>;
    token_hash: string;
    purpose: string;
    email: string | null;
    role: string | null;
    project_ids: string;
    user_id: number | null;
    data: string;
    created_by: number | null;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  audit_log: {
    id: Generated<number>;
    at: number;
    action: string;
    actor_user_id: number | null;
    actor: string;
    target: string | null;
    ip: string | null;
    details: string;
  };
  issues: {
    id: Generated<number>;
    project_id: number;
    fingerprint: string;
    grouping_version: string;
    title: string;
    culprit: string;
    type: string;
    level: string;
    status: string;
    is_regressed: number;
    /** Newest events.row when the status was last set (see schema.ts). */
    status_row: Generated<number>;
    count: number;
    user_count: number;
    account_count: number;
    first_seen: number;
    last_seen: number;
    first_release: string | null;
    last_release: string | null;
    /** Resolution by release (release-queries.ts); null unless resolved that way. */
    resolution_kind: Generated<string | null>;
    resolved_in_release: Generated<string | null>;
    resolved_release_floor: Generated<number | null>;
    /** The user the issue is assigned to (triage migration); null when unassigned. */
    assignee_id: Generated<number | null>;
    /** The issue this one was merged into (docs/triage.md); null for a live issue. */
    merged_into: Generated<number | null>;
  };
  issue_activity: IssueActivityTable;
  events: {
    row: Generated<number>;
    project_id: number;
    issue_id: number;
    event_id: Buffer;
    timestamp: number;
    received: number;
    trace_id: Buffer | null;
    payload: Buffer;
    user_hash: number | null;
    /** The issue of the event's own fingerprint when it is grouped into another by a merge. */
    origin_issue_id: Generated<number | null>;
  };
  tag_values: { id: Generated<number>; project_id: number; key: string; value: string };
  event_tags: { value_id: number; event_row: number };
  issue_tag_values: { issue_id: number; value_id: number; count: number; first_seen: number; last_seen: number };
  issue_users: { issue_id: number; user_key: string };
  issue_accounts: { issue_id: number; account_key: string };
  raw_items: {
    row: Generated<number>;
    project_id: number;
    type: string;
    received: number;
    event_id: string | null;
    trace_id: string | null;
    payload: Buffer;
  };
  issue_hours: { issue_id: number; hour: number; count: number };
  tag_value_hours: { value_id: number; hour: number; count: number };
  tag_value_users: { value_id: number; user_hash: number };
  project_hours: { project_id: number; hour: number; count: number };
  item_counts: { project_id: number; type: string; day: number; count: number };
  traces: {
    row: Generated<number>;
    project_id: number;
    trace_id: Buffer;
    name: string | null;
    status: string;
    timestamp_ms: number;
    execution_time_ms: number;
    span_count: number;
    start_ms: number;
    end_ms: number;
    root_span_id: Buffer | null;
    root_kind: number;
    root_status: string | null;
    error_spans: number;
  };
  spans: {
    trace_row: number;
    span_id: Buffer;
    parent_span_id: Buffer | null;
    name: string;
    op: string | null;
    status: string;
    start_ms: number;
    end_ms: number;
    data: string | null;
  };
  trace_tags: { trace_row: number; project_id: number; key: string; value: string };
  trace_metadata: { trace_row: number; project_id: number; key: string; value: string };
  logs: {
    row: Generated<number>;
    project_id: number;
    timestamp_ms: number;
    level: string;
    severity: number | null;
    body: string;
    trace_id: Buffer | null;
    span_id: Buffer | null;
    attributes: string | null;
  };
  alert_rules: {
    id: Generated<number>;
    project_id: number;
    name: string;
    trigger: string;
    environments: string;
    query: string;
    threshold: number | null;
    window_minutes: number | null;
    throttle_minutes: number;
    enabled: number;
    actions: string;
    created_at: number;
    updated_at: number;
    last_fired_at: number | null;
  };
  alert_cursor: { id: number; event_row: number; max_issue_id: number };
  alert_rule_issues: { rule_id: number; issue_id: number; last_fired_at: number; suppressed: number; regression_status_row: number };
  alert_outbox: {
    id: Generated<number>;
    rule_id: number;
    project_id: number;
    issue_id: number | null;
    action_index: number;
    action: string;
    message: string;
    status: string;
    attempts: Generated<number>;
    created_at: number;
    next_attempt_at: number;
    finished_at: number | null;
  };
  alert_attempts: {
    id: Generated<number>;
    outbox_id: number;
    rule_id: number;
    at: number;
    action_type: string;
    target: string;
    ok: number;
    response_code: number | null;
    error: string | null;
    duration_ms: number;
  };
  derived_journal: { batch: Generated<number>; entries: string };
}
