/** Shapes of the server's JSON API, as far as the dashboard reads them. */

export interface Project {
  id: number;
  slug: string;
  name: string;
  publicKey: string;
  dsn: string;
  description?: string;
  platform?: string | null;
  repository?: { url: string; defaultBranch: string } | null;
}

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

export interface Issue {
  id: number;
  projectId: number;
  title: string;
  culprit: string | null;
  type: string;
  level: string;
  fingerprint: string;
  status: IssueStatus;
  isRegressed: boolean;
  count: number;
  userCount: number;
  accountCount: number;
  firstSeen: string;
  lastSeen: string;
  firstRelease: string | null;
  lastRelease: string | null;
  environments: string[];
  /** Present when the list is asked with statsPeriod. */
  stats?: number[];
}

export interface TagValue {
  value: string;
  count: number;
  percentage: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface TagDistribution {
  key: string;
  totalValues: number;
  topValues: TagValue[];
}

export interface ProjectTagKey {
  key: string;
  uniqueValues: number;
}

export interface EventSummary {
  eventId: string;
  issueId: number;
  timestamp: string;
  received: string;
}

export interface Frame {
  filename?: string | null;
  abs_path?: string | null;
  function?: string | null;
  module?: string | null;
  lineno?: number | null;
  colno?: number | null;
  in_app?: boolean | null;
  context_line?: string | null;
  pre_context?: string[] | null;
  post_context?: string[] | null;
  vars?: Record<string, unknown> | null;
}

export interface ExceptionValue {
  type?: string | null;
  value?: string | null;
  module?: string | null;
  mechanism?: { type?: string; handled?: boolean; [key: string]: unknown } | null;
  stacktrace?: { frames?: Frame[] | null } | null;
}

export interface Breadcrumb {
  timestamp?: number | string | null;
  type?: string | null;
  category?: string | null;
  level?: string | null;
  message?: string | null;
  data?: Record<string, unknown> | null;
}

export interface ProcessingError {
  type: string;
  key?: string;
  reason?: string;
  value?: unknown;
}

export interface FullEvent {
  eventId: string;
  issueId: number;
  projectId?: number;
  title?: string;
  culprit?: string | null;
  level?: string;
  timestamp?: string;
  received?: string;
  platform?: string;
  environment?: string | null;
  release?: string | null;
  message?: unknown;
  logentry?: { message?: string; formatted?: string } | null;
  exception?: { values?: ExceptionValue[] | null } | null;
  breadcrumbs?: Breadcrumb[] | { values?: Breadcrumb[] } | null;
  tags?: Record<string, string> | null;
  user?: Record<string, unknown> | null;
  account?: Record<string, unknown> | null;
  contexts?: Record<string, unknown> | null;
  extra?: Record<string, unknown> | null;
  request?: Record<string, unknown> | null;
  sdk?: { name?: string; version?: string } | null;
  traceId?: string | null;
  sessionId?: string | null;
  windowId?: string | null;
  grouping?: { version?: string; fingerprint?: string; source?: string } | null;
  processingErrors?: ProcessingError[] | null;
  previousEventId?: string | null;
  nextEventId?: string | null;
}

export interface IssueStats {
  interval: string;
  buckets: { start: string; count: number }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
