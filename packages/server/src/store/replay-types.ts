/**
 * Session replays (seed 001: "Session replay (for browser errors)"). A replay is a sequence of
 * segments, each a `replay_event` (metadata) and a `replay_recording` (rrweb events). Segments are
 * stored compressed as received; the metadata of every segment is folded into one replay row.
 */
import type { Page } from './types.js';

/** One parsed segment, ready to store. Times are epoch ms. */
export interface ReplaySegmentInput {
  projectId: number;
  /** 32 lowercase hex characters (the SDK's replay / session id). */
  replayId: string;
  segmentId: number;
  receivedMs: number;
  /** replay_start_timestamp (the first segment's start; for buffered replays, the buffer's). */
  startedMs: number;
  /** The segment's own timestamp (when it was sent). */
  timestampMs: number;
  /** zlib-compressed JSON array of rrweb events. */
  recording: Uint8Array;
  /** Size of the JSON array before compression. */
  recordingBytes: number;
  eventCount: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  errorIds: string[];
  traceIds: string[];
  urls: string[];
  user: ReplayUser | null;
  tags: Record<string, string>;
  replayType: string | null;
  environment: string | null;
  release: string | null;
  platform: string | null;
  /** Seed 001 session and window ids (our SDK sends them; Sentry SDKs do not). */
  sessionId: string | null;
  windowId: string | null;
}

export interface ReplayUser {
  id?: string;
  email?: string;
  username?: string;
  ipAddress?: string;
}

export interface ReplaySummary {
  id: string;
  projectId: number;
  startedAt: string;
  finishedAt: string;
  /** Seconds from the first to the last recorded moment. */
  duration: number;
  segments: number;
  /** Event ids of the errors that happened during the replay. */
  errorIds: string[];
  traceIds: string[];
  user: ReplayUser | null;
  urls: string[];
  tags: Record<string, string>;
  replayType: string | null;
  environment: string | null;
  release: string | null;
  platform: string | null;
  sessionId: string | null;
  windowId: string | null;
  /** Compressed bytes stored for its segments. */
  storedBytes: number;
  /** Bytes of its rrweb JSON before compression. */
  recordingBytes: number;
}

/**
 * A filter on replays: every term must hold. `text` matches the replay id, user id / email /
 * username, session id or a URL (substring); `fields` are exact matches on `user.id`,
 * `user.email`, `user.username`, `session_id`, `window_id`, `environment`, `release`, `replay_type`,
 * or a substring of a URL (`url`); any other key is a tag.
 */
export interface ReplayFilter {
  text: string[];
  fields: Array<{ key: string; value: string }>;
}

export interface ReplayListQuery {
  projectId: number;
  filter: ReplayFilter;
  limit: number;
  cursor?: string;
}

export interface ReplayLimits {
  /** Compressed bytes a replay may store in total; further segments are refused. */
  maxReplayBytes: number;
  /** Segments a replay may have. */
  maxSegments: number;
}

export type ReplayWriteResult = 'stored' | 'duplicate' | 'replay_too_large';

export interface ReplayStore {
  /** Commits the segments (durably) before resolving; one result per segment. */
  writeReplaySegments(segments: ReplaySegmentInput[], limits: ReplayLimits): Promise<ReplayWriteResult[]>;
  /** Replays of a project, most recently started first. */
  listReplays(query: ReplayListQuery): Promise<Page<ReplaySummary>>;
  /** A replay by id; `projectId` null looks in every project. */
  getReplay(replayId: string, projectId: number | null): Promise<ReplaySummary | undefined>;
  /** The stored segments of a replay, in segment order, compressed as stored. */
  replaySegments(projectId: number, replayId: string): Promise<Array<{ segmentId: number; recording: Uint8Array }>>;
}
