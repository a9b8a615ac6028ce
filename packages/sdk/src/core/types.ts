/**
 * The data the SDK sends, in the Sentry event shape (snake_case on the wire) so one ingest path
 * serves our SDKs and the official ones alike.
 */

export type Level = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug';
export type Primitive = string | number | boolean | bigint | null | undefined;

export interface User {
  id?: string | number;
  email?: string;
  username?: string;
  ip_address?: string;
  [key: string]: unknown;
}

/** The organisation a user belongs to (seed 001: "Alice from Acme Corp"). */
export interface Account {
  id?: string | number;
  name?: string;
  [key: string]: unknown;
}

export interface Breadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: Level;
  data?: Record<string, unknown>;
  /** Seconds since the epoch; filled in when missing. */
  timestamp?: number;
}

export interface StackFrame {
  function?: string;
  filename?: string;
  abs_path?: string;
  module?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
}

export interface Mechanism {
  type: string;
  handled: boolean;
  data?: Record<string, unknown>;
}

export interface ExceptionValue {
  type: string;
  value: string;
  stacktrace?: { frames: StackFrame[] };
  mechanism?: Mechanism;
}

export interface RequestData {
  method?: string;
  url?: string;
  query_string?: string;
  headers?: Record<string, string>;
  data?: unknown;
}

export interface Event {
  event_id?: string;
  type?: 'transaction';
  timestamp?: number;
  start_timestamp?: number;
  platform?: string;
  level?: Level;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  environment?: string;
  message?: string;
  exception?: { values: ExceptionValue[] };
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  contexts?: Record<string, Record<string, unknown>>;
  user?: User;
  account?: Account;
  breadcrumbs?: Breadcrumb[];
  fingerprint?: string[];
  request?: RequestData;
  sdk?: { name: string; version: string };
  spans?: unknown[];
  /** Problems the SDK met with the event's data (tags it dropped), as the server records its own. */
  errors?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** What `captureException` accepts beside the error (the seeds' `{ tags, extra, ... }`). */
export interface CaptureContext {
  tags?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  contexts?: Record<string, Record<string, unknown> | null>;
  user?: User | null;
  account?: Account | null;
  level?: Level;
  fingerprint?: string[];
}

export interface EventHint {
  originalException?: unknown;
  syntheticException?: Error;
  mechanism?: Mechanism;
  captureContext?: CaptureContext;
  /** Internal: the exception is built from originalException after capture returns. */
  deferredException?: boolean;
}
