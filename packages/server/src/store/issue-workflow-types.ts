/**
 * Triage state of issues (docs/triage.md): who an issue is assigned to, and its activity history.
 * The activity is an append-only log written by the API beside the change it records; the issue's
 * own first sighting (first seen, first release) is read from the issue row, not logged.
 * (Comments, snoozes and saved searches, the other half of triage, are store/triage-types.ts.)
 */

/** A user an issue is assigned to, as the API shows it. */
export interface Assignee {
  id: number;
  email: string;
  name: string;
}

export type ActivityKind = 'status' | 'assigned' | 'unassigned' | 'merged' | 'merged_into' | 'unmerged' | 'regression' | 'resolved_in_release' | 'first_seen';

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

/** One fingerprint grouped into an issue: its own, or one merged into it. */
export interface IssueFingerprint {
  /** The issue the fingerprint created (the merged issue itself for its own fingerprint). */
  issueId: number;
  fingerprint: string;
  groupingVersion: string;
  /** Events of this fingerprint now in the issue. */
  events: number;
  merged: boolean;
}

export interface IssueWorkflowStore {
  /**
   * Merges issues of one project into `targetId`: their events, counts, tags and users move, and
   * later events of their fingerprints land in the target. Returns the ids merged (live issues of
   * the project other than the target).
   */
  mergeIssues(projectId: number, targetId: number, sourceIds: number[]): Promise<number[]>;
  /** The fingerprints grouped into an issue: its own first, then the merged ones by id. */
  issueFingerprints(issueId: number): Promise<IssueFingerprint[]>;
  /** Gives merged fingerprints (by the issue they created) their issue and events back; returns those restored. */
  unmergeIssues(projectId: number, targetId: number, originIds: number[]): Promise<number[]>;
  /** Assigns issues of one project to a user (null: unassigns); returns the ids that changed. */
  assignIssues(projectId: number, ids: number[], userId: number | null): Promise<number[]>;
  /** Which of these ids are issues of the project (bulk actions name ids from outside). */
  projectIssueIds(projectId: number, ids: number[]): Promise<number[]>;
  recordActivity(entries: ActivityInput[]): Promise<void>;
  /** An issue's activity, newest first, a page of at most `limit` before the entry id `beforeId`. */
  listActivity(issueId: number, limit: number, beforeId?: number): Promise<ActivityEntry[]>;
}
