import type { Generated } from 'kysely';

/** One line of an issue's history (docs/triage.md), the same in both backends. */
export interface IssueActivityTable {
  id: Generated<number>;
  project_id: number;
  issue_id: number;
  at: number;
  kind: string;
  actor_user_id: number | null;
  actor: string;
  /** JSON object; its shape depends on kind (store/issue-workflow-types.ts). */
  data: string;
}

/**
 * The triage tables as Kysely sees them, the same in SQLite and PostgreSQL: ids and epoch ms are
 * numbers in both (the PostgreSQL store parses int8 as number), `pinned` is 0/1 in both.
 */
export interface TriageTables {
  issue_comments: {
    id: Generated<number>;
    issue_id: number;
    user_id: number | null;
    author: string;
    text: string;
    created_at: number;
    updated_at: number | null;
    /** The issue it was written on, while a merge keeps it on another (docs/triage.md). */
    origin_issue_id: Generated<number | null>;
  };
  issue_snoozes: {
    issue_id: number;
    project_id: number;
    until_ms: number | null;
    until_events: number | null;
    until_users: number | null;
    base_count: number;
    base_users: number;
    created_at: number;
    created_by: string;
  };
  saved_searches: {
    id: Generated<number>;
    project_id: number;
    name: string;
    query: string;
    sort: string | null;
    visibility: string;
    user_id: number | null;
    created_by: string;
    pinned: number;
    position: number;
    created_at: number;
  };
  /** Only the columns the snooze queries read and write. */
  issues: { id: number; project_id: number; status: string; count: number; user_count: number };
}
