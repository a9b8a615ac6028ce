import type { FastifyBaseLogger } from 'fastify';
import type { IngestLimits } from '../../config.js';
import { HttpError } from '../../errors.js';
import type { ReplaySegmentInput } from '../../store/replay-types.js';
import type { Store } from '../../store/types.js';

/**
 * Commits replay segments before the request is answered (a 2xx means they are on disk). A replay
 * past its size or segment cap gets a 413: the SDK stops that replay, the page keeps working.
 */
export async function commitReplays(store: Store, segments: ReplaySegmentInput[], limits: IngestLimits, log: FastifyBaseLogger): Promise<void> {
  let results;
  try {
    results = await store.writeReplaySegments(segments, { maxReplayBytes: limits.maxReplayBytes, maxSegments: limits.maxSegments });
  } catch (error) {
    log.error({ err: error }, 'replay write failed');
    throw new HttpError(503, 'store_unavailable', 'The replay could not be stored; retry later');
  }
  const refused = results.indexOf('replay_too_large');
  if (refused !== -1) {
    throw new HttpError(
      413,
      'replay_too_large',
      `replay ${segments[refused]!.replayId} already holds the most a replay may store (${limits.maxReplayBytes} bytes or ${limits.maxSegments} segments)`,
    );
  }
}
