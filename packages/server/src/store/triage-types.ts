/**
 * Triage records kept beside an issue (docs/triage.md): comments, snoozes (ignore until a time, a
 * number of further events or of further users) and saved searches. Every backend stores them in
 * the same three tables; the queries are plain Kysely and shared (store/triage/queries.ts), the
 * per-backend part is only the filtered event counts, which compile a search.
 */
import type { SearchExpr } from '../query/ast.js';

export interface IssueComment {
  id: number;
  issueId: number;
  /** The team account that wrote it; null for a token without a user (automation). */
  userId: number | null;
  /** The author's name as shown: the user's name or e-mail, or the token's label. */
  author: string;
  text: string;
  createdAt: string;
  updatedAt: string | null;
}

/** At least one condition; whichever comes first wakes the issue. */
export interface SnoozeConditions {
  /** Epoch ms. */
  untilMs?: number | null;
  /** This many more events than when it was snoozed. */
  events?: number | null;
  /** This many more distinct users than when it was snoozed. */
  users?: number | null;
}

export interface IssueSnooze {
  issueId: number;
  untilMs: number | null;
  events: number | null;
  users: number | null;
  /** The issue's count and user count when it was snoozed: the conditions count from there. */
  baseCount: number;
  baseUsers: number;
  createdAt: string;
  createdBy: string;
}

export type SavedSearchVisibility = 'private' | 'shared';

export interface SavedSearch {
  id: number;
  projectId: number;
  name: string;
  query: string;
  sort: string | null;
  visibility: SavedSearchVisibility;
  /** Owner; null when a token without a user saved it (then it can only be shared). */
  userId: number | null;
  createdBy: string;
  pinned: boolean;
  position: number;
  createdAt: string;
}

export interface TriageStore {
  addIssueComment(input: { issueId: number; userId: number | null; author: string; text: string }): Promise<IssueComment>;
  listIssueComments(issueId: number): Promise<IssueComment[]>;
  getIssueComment(issueId: number, commentId: number): Promise<IssueComment | undefined>;
  updateIssueComment(issueId: number, commentId: number, text: string): Promise<IssueComment | undefined>;
  deleteIssueComment(issueId: number, commentId: number): Promise<boolean>;

  /** Sets the issue to ignored and records when it wakes; replaces an earlier snooze. */
  snoozeIssue(issueId: number, conditions: SnoozeConditions, createdBy: string): Promise<IssueSnooze>;
  getIssueSnooze(issueId: number): Promise<IssueSnooze | undefined>;
  clearIssueSnooze(issueId: number): Promise<void>;
  /**
   * Sets back to unresolved every snoozed issue (of one project, or all when null) whose condition
   * is met at `nowMs`, and forgets snoozes of issues no longer ignored. Returns the woken issue ids.
   */
  wakeSnoozedIssues(projectId: number | null, nowMs: number): Promise<number[]>;

  createSavedSearch(input: Omit<SavedSearch, 'id' | 'createdAt' | 'position'>): Promise<SavedSearch>;
  /** Shared searches of the project and the private ones of this user, in tab order. */
  listSavedSearches(projectId: number, userId: number | null): Promise<SavedSearch[]>;
  getSavedSearch(projectId: number, id: number): Promise<SavedSearch | undefined>;
  updateSavedSearch(projectId: number, id: number, patch: Partial<Pick<SavedSearch, 'name' | 'query' | 'sort' | 'visibility' | 'pinned' | 'position'>>): Promise<SavedSearch | undefined>;
  deleteSavedSearch(projectId: number, id: number): Promise<boolean>;

  /** Events matching `filter` per issue, for the issues given (the issue list's filtered counts). */
  filteredIssueCounts(projectId: number, filter: SearchExpr | null, issueIds: number[]): Promise<Map<number, number>>;
}
