/**
 * The timed query cases, one line each. Add a case for a new endpoint here; nothing else changes.
 * `path` gets the data set's ids; `target` is in ms and is checked against the median of the runs.
 * `source` names the issue whose figure the target comes from.
 */
export interface QueryContext {
  projectId: number;
  /** The issue holding 100,000 events. */
  bigIssueId: number;
}

export interface QueryCase {
  name: string;
  path: (ctx: QueryContext) => string;
  target?: number;
  source?: string;
}

const q = encodeURIComponent;

export const QUERY_CASES: QueryCase[] = [
  { name: 'issue list, 2 tag filters', path: (c) => `/api/0/projects/${c.projectId}/issues/?query=${q('tier:enterprise region:eu-west-1')}`, target: 20, source: 'issue 2' },
  { name: 'issue list, 2 tag filters + is:unresolved', path: (c) => `/api/0/projects/${c.projectId}/issues/?query=${q('tier:enterprise region:eu-west-1 is:unresolved')}`, target: 20, source: 'issue 5' },
  { name: 'tag distribution, 100k-event issue', path: (c) => `/api/0/issues/${c.bigIssueId}/tags/`, target: 10, source: 'issue 2' },
  { name: 'issue list, OR of 2 tag filters', path: (c) => `/api/0/projects/${c.projectId}/issues/?query=${q('tier:enterprise OR region:eu-west-1')}`, target: 50, source: 'issue 5' },
  { name: '30-day hourly trend, 100k-event issue', path: (c) => `/api/0/issues/${c.bigIssueId}/stats/?period=30d&interval=1h`, target: 50, source: 'issue 5' },
  { name: 'tag correlation, 100k-event issue, flag_*', path: (c) => `/api/0/issues/${c.bigIssueId}/tags/correlation/?prefix=${q('flag_')}`, target: 100, source: 'issue 5' },
  { name: '30-day hourly trend, tier:enterprise events', path: (c) => `/api/0/projects/${c.projectId}/events/stats/?query=${q('tier:enterprise')}&period=30d&interval=1h`, target: 50, source: 'issue 5' },
  { name: 'compare variants, experiment_variant', path: (c) => `/api/0/projects/${c.projectId}/tags/experiment_variant/compare/`, target: 50, source: 'issue 21' },
  { name: 'project distribution, tier', path: (c) => `/api/0/projects/${c.projectId}/tags/tier/distribution/`, target: 50, source: 'issue 21' },
  { name: 'project distribution, tier, is:unresolved', path: (c) => `/api/0/projects/${c.projectId}/tags/tier/distribution/?query=${q('is:unresolved')}` },
];
