import type { Generated } from 'kysely';
import type { IssueActivityTable } from '../triage/tables.js';

/**
 * Column types of the PostgreSQL schema, for Kysely. Times are epoch milliseconds (bigint, read as
 * numbers: the pool parses int8 and numeric, see store.ts). Every table that grows with data has
 * project_id as the first column of its key, so it can be distributed by project (Citus) later.
 */
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
  project_keys: { public_key: string; project_id: number; label: string; is_active: Generated<boolean>; created_at: number };
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
    status: Generated<string>;
    is_regressed: Generated<boolean>;
    count: Generated<number>;
    user_count: Generated<number>;
    account_count: Generated<number>;
    first_seen: number;
    last_seen: number;
    first_release: string | null;
    last_release: string | null;
    /** Resolution by release (migration 2, release-queries.ts); null for a plain status. */
    resolution_kind: Generated<string | null>;
    resolved_in_release: Generated<string | null>;
    resolved_release_floor: Generated<number | null>;
    /** Alerts (see schema.ts): xid8 values, read as text. */
    created_xid: Generated<string | null>;
    regressed_xid: Generated<string | null>;
    /** The user the issue is assigned to (triage migration); null when unassigned. */
    assignee_id: Generated<number | null>;
    /** The issue this one was merged into (docs/triage.md); null for a live issue. */
    merged_into: Generated<number | null>;
  };
  issue_activity: IssueActivityTable;
  event_ids: { project_id: number; event_id: Buffer; issue_id: number; timestamp: number };
  events: {
    project_id: number;
    row: Generated<number>;
    timestamp: number;
    issue_id: number;
    event_id: Buffer;
    received: number;
    trace_id: Buffer | null;
    payload: Buffer;
    user_hash: number | null;
    xid: Generated<string | null>;
    /** The issue of the event's own fingerprint when it is grouped into another by a merge. */
    origin_issue_id: Generated<number | null>;
  };
  tag_values: { id: Generated<number>; project_id: number; key: string; value: string };
  event_tags: { project_id: number; value_id: number; timestamp: number; event_row: number; issue_id: number };
  issue_tag_values: { project_id: number; issue_id: number; value_id: number; count: number; first_seen: number; last_seen: number };
  issue_users: { project_id: number; issue_id: number; user_key: string };
  issue_accounts: { project_id: number; issue_id: number; account_key: string };
  raw_items: {
    project_id: number;
    row: Generated<number>;
    type: string;
    received: number;
    event_id: string | null;
    trace_id: string | null;
    payload: Buffer;
  };
  issue_hours: { project_id: number; issue_id: number; hour: number; count: number };
  tag_value_hours: { project_id: number; value_id: number; hour: number; count: number };
  tag_value_users: { project_id: number; value_id: number; user_hash: number };
  project_hours: { project_id: number; hour: number; count: number };
  item_counts: { project_id: number; type: string; day: number; count: number };
  traces: {
    project_id: number;
    row: Generated<number>;
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
    root_start: number | null;
    root_end: number | null;
    root_status: string | null;
    error_spans: number;
  };
  spans: {
    project_id: number;
    trace_row: number;
    span_id: Buffer;
    start_ms: number;
    parent_span_id: Buffer | null;
    name: string;
    op: string | null;
    status: string;
    end_ms: number;
    data: Record<string, unknown> | null;
  };
  trace_tags: { project_id: number; trace_row: number; key: string; value: string };
  trace_metadata: { project_id: number; trace_row: number; key: string; value: string };
  logs: {
    project_id: number;
    row: Generated<number>;
    timestamp_ms: number;
    level: string;
    severity: number | null;
    body: string;
    trace_id: Buffer | null;
    span_id: Buffer | null;
    attributes: Record<string, unknown> | null;
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
    enabled: boolean;
    actions: string;
    created_at: number;
    updated_at: number;
    last_fired_at: number | null;
  };
  alert_cursor: { id: number; xid: string; event_row: number };
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
    ok: boolean;
    response_code: number | null;
    error: string | null;
    duration_ms: number;
  };
}
