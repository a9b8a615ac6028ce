import type { SearchExpr } from '../query/ast.js';
import type { AlertStore, IssueWindow } from '../store/alert-types.js';
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

  /** Asks the store, in one call, for the windows not read yet in this pass. */
  issueWindowCounts(windows: IssueWindow[], withUsers: boolean): Promise<Array<{ events: number; users: number }>> {
    const key = (w: IssueWindow) => `iwc:${w.issueId}:${w.from}:${w.to}:${withUsers}`;
    const missing = windows.filter((w) => !this.memo.has(key(w)));
    if (missing.length > 0) {
      const read = this.store.issueWindowCounts(missing, withUsers);
      missing.forEach((w, i) => this.memo.set(key(w), read.then((counts) => counts[i]!)));
    }
    return Promise.all(windows.map((w) => this.memo.get(key(w)) as Promise<{ events: number; users: number }>));
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
