/**
 * Triage state of issues (docs/triage.md): who an issue is assigned to, and its activity history.
 * The activity is an append-only log written by the API beside the change it records; the issue's
 * own first sighting (first seen, first release) is read from the issue row, not logged.
 */

/** A user an issue is assigned to, as the API shows it. */
export interface Assignee {
  id: number;
  email: string;
  name: string;
}

export type ActivityKind = 'status' | 'assigned' | 'unassigned' | 'merged' | 'merged_into' | 'unmerged' | 'regression' | 'resolved_in_release';

export interface ActivityInput {
  projectId: number;
  issueId: number;
  kind: ActivityKind;
  /** Who did it: a user id when a person did, with a label (e-mail, token name) either way. */
  actorUserId: number | null;
  actor: string;
  /** Small JSON-able details (the new status, the assignee, the merged issue ids). */
  data: Record<string, unknown>;
  /** Epoch ms; defaults to now. */
  at?: number;
}

export interface ActivityEntry {
  id: number;
  issueId: number;
  kind: ActivityKind;
  at: string;
  actorUserId: number | null;
  actor: string;
  data: Record<string, unknown>;
}

export interface TriageStore {
  /** Assigns issues of one project to a user (null: unassigns); returns the ids that changed. */
  assignIssues(projectId: number, ids: number[], userId: number | null): Promise<number[]>;
  /** Which of these ids are issues of the project (bulk actions name ids from outside). */
  projectIssueIds(projectId: number, ids: number[]): Promise<number[]>;
  recordActivity(entries: ActivityInput[]): Promise<void>;
  /** An issue's activity, newest first, a page of at most `limit` before the entry id `beforeId`. */
  listActivity(issueId: number, limit: number, beforeId?: number): Promise<ActivityEntry[]>;
}
