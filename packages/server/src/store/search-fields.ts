/**
 * What a search predicate means, apart from any SQL dialect: which fields exist for issues and for
 * events, which operators each takes, and the values, checked. Each backend's compiler
 * (store/<backend>/search-sql.ts) turns these into its own SQL, so both refuse the same searches
 * with the same messages. Values stay values here: compilers bind them as parameters.
 */
import { QuerySyntaxError, type SearchPredicate } from '../query/ast.js';

export type SearchTarget = 'issues' | 'events';
export type Comparison = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** `1.2.*` -> `1.2.%` with LIKE's own wildcards escaped (for `LIKE ? ESCAPE '\'`, in SQLite and PostgreSQL alike). */
export function wildcardToLike(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** Which tag values a tag predicate selects. */
export type TagMatch = { kind: 'exists' } | { kind: 'in'; values: string[] } | { kind: 'like'; pattern: string };

export function tagMatch(p: SearchPredicate): TagMatch {
  switch (p.op) {
    case 'exists':
      return { kind: 'exists' };
    case 'in':
    case '=':
      return { kind: 'in', values: p.values.map(String) };
    case 'glob':
      return { kind: 'like', pattern: wildcardToLike(String(p.values[0])) };
    default:
      throw new QuerySyntaxError(`tags cannot be compared with "${p.op}"`, p.position);
  }
}

/** Issue columns that take a number comparison, by their search name. */
export const ISSUE_NUMBER_COLUMNS = {
  times_seen: 'count',
  user_count: 'user_count',
  last_seen: 'last_seen',
  first_seen: 'first_seen',
} as const;
export type IssueNumberColumn = (typeof ISSUE_NUMBER_COLUMNS)[keyof typeof ISSUE_NUMBER_COLUMNS];

/**
 * A predicate on a built-in field. `status` and `text` and the issue columns are conditions on the
 * issue (for events: on the event's issue); `issue_id` and `timestamp` only filter events.
 */
export type AttributeFilter =
  | { kind: 'status'; statuses: string[] }
  | { kind: 'text'; likePattern: string }
  | { kind: 'event-column'; column: 'issue_id' | 'timestamp'; op: Comparison; value: number }
  | { kind: 'issue-column'; column: IssueNumberColumn; op: Comparison; value: number };

const COMPARISONS: ReadonlySet<string> = new Set(['=', '!=', '>', '>=', '<', '<=']);

export function attributeFilter(p: SearchPredicate, name: string, target: SearchTarget): AttributeFilter {
  if (name === 'status') return { kind: 'status', statuses: p.values.map(String) };
  if (name === 'text') return { kind: 'text', likePattern: `%${wildcardToLike(String(p.values[0]))}%` };
  if (!COMPARISONS.has(p.op)) throw new QuerySyntaxError(`"${name}" cannot be compared with "${p.op}"`, p.position);
  const op = p.op as Comparison;
  const value = Number(p.values[0]);
  if (name === 'issue_id') {
    if (target !== 'events') throw new QuerySyntaxError('issue_id filters events', p.position);
    return { kind: 'event-column', column: 'issue_id', op, value };
  }
  if (name === 'timestamp') {
    if (target !== 'events') throw new QuerySyntaxError('timestamp filters events; for issues use lastSeen or firstSeen', p.position);
    return { kind: 'event-column', column: 'timestamp', op, value };
  }
  const column = (ISSUE_NUMBER_COLUMNS as Record<string, IssueNumberColumn | undefined>)[name];
  if (!column) throw new QuerySyntaxError(`"${name}" is not searchable here`, p.position);
  return { kind: 'issue-column', column, op, value };
}

/**
 * `assigned:` after the API resolved who is meant: user ids, and `none` for unassigned issues.
 * Any other value (me, an e-mail) was not resolved, which only issue and event searches do.
 */
export function assigneeFilter(p: SearchPredicate): { userIds: number[]; none: boolean } {
  const userIds: number[] = [];
  let none = false;
  for (const value of p.values) {
    if (value === 'none') none = true;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) userIds.push(value);
    else throw new QuerySyntaxError(`assigned:${String(value)} is only understood in issue and event searches`, p.position);
  }
  return { userIds, none };
}
