import type { SearchExpr } from '../query/ast.js';
import type { AlertStore } from '../store/alert-types.js';
import type { Store } from '../store/types.js';

type WindowReads = Pick<AlertStore, 'issueWindowCounts' | 'projectWindowCount' | 'projectHourlyTotal'>;

/**
 * The store reads of one evaluation pass, each asked once: rules of one trigger usually share
 * their window (the bench's four `users` rules: 5 minutes, production), so the same count was
 * read once per rule, and a message's issue, event and tags once per rule that fired for it.
 * Within a pass a repeated read answers what the first one read, as if they ran together; the
 * next pass reads afresh. Measured on the alerts bench (20 rules, SQLite): docs/benchmarks.md.
 */
export class PassReads implements WindowReads {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly store: Store) {}

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) this.memo.set(key, (value = read()));
    return value;
  }

  issueWindowCounts(issueId: number, from: number, to: number, withUsers: boolean): Promise<{ events: number; users: number }> {
    // A count with users answers one without: ask for the richer one when it is already known.
    const users = this.memo.get(`iwc:${issueId}:${from}:${to}:true`) as Promise<{ events: number; users: number }> | undefined;
    if (!withUsers && users) return users;
    return this.once(`iwc:${issueId}:${from}:${to}:${withUsers}`, () => this.store.issueWindowCounts(issueId, from, to, withUsers));
  }

  projectWindowCount(projectId: number, from: number, to: number): Promise<number> {
    return this.once(`pwc:${projectId}:${from}:${to}`, () => this.store.projectWindowCount(projectId, from, to));
  }

  projectHourlyTotal(projectId: number, fromHour: number, toHour: number): Promise<number> {
    return this.once(`pht:${projectId}:${fromHour}:${toHour}`, () => this.store.projectHourlyTotal(projectId, fromHour, toHour));
  }

  /** `rows`: every event of the project in the pass, the same list for every call of the pass. */
  rowsMatching(projectId: number, query: string, filter: SearchExpr, rows: number[]): Promise<Set<number>> {
    return this.once(`rows:${projectId}:${query}`, () => this.store.eventRowsMatching(projectId, filter, rows));
  }

  project(projectId: number) {
    return this.once(`project:${projectId}`, () => this.store.getProject(projectId));
  }

  messageContext(projectId: number, issueId: number, eventId: string | null) {
    return this.once(`context:${projectId}:${issueId}:${eventId}`, () => this.store.alertMessageContext(projectId, issueId, eventId));
  }
}
