/**
 * Shapes of the server's JSON API. The API's own fields come from the server's route schemas
 * (packages/server/src/api/contract); an event's payload is open-ended, so its parts are typed here.
 */

export type {
  Issue,
  IssueStatus,
  Project,
  ProjectTagKey,
  EventSummary,
  TagDistribution,
  TagValue,
  Stats as IssueStats,
  Deploy,
  Release,
  Replay,
  ActivityEntry,
  Assignee,
} from '@proliferate/api';
import type { IssueHash as IssueHashSchema } from '@proliferate/api';
import type { Static } from '@sinclair/typebox';
export type IssueHash = Static<typeof IssueHashSchema>;
import type { Event } from '@proliferate/api';

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
  /** The frames as the SDK sent them (minified), when the server mapped `stacktrace` with a source map. */
  raw_stacktrace?: { frames?: Frame[] | null } | null;
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

export interface FullEvent extends Event {
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
  processingErrors?: ProcessingError[] | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
