/**
 * Session replay routes. Replays follow the access rules of events: a token limited to one
 * project sees only that project's replays, and other replays answer 404 (not 403).
 */
import { inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { eventMs } from '../ingest/replay/recording.js';
import type { ReplaySummary } from '../store/replay-types.js';
import type { Store } from '../store/types.js';
import { assertProjectAccess, requireProject, requireToken } from './auth.js';
import { limitParam, sendPage, stringParam } from './http.js';
import { parseReplayQuery } from './replay-search.js';

function replayIdParam(request: FastifyRequest): string {
  const raw = String((request.params as { replayId?: string }).replayId ?? '');
  const id = raw.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(404, 'not_found', 'replay not found');
  return id;
}

export async function replayRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  async function loadReplay(request: FastifyRequest): Promise<ReplaySummary> {
    const token = await requireToken(request, store);
    // A token limited to one project looks only there; anyone else finds it, then membership decides.
    const replay = await store.getReplay(replayIdParam(request), token.tokenProject);
    if (!replay) throw new HttpError(404, 'not_found', 'replay not found');
    assertProjectAccess(token, replay.projectId, 'replay');
    return replay;
  }

  app.get('/api/0/projects/:projectId/replays/', async (request, reply) => {
    const { project } = await requireProject(request, store);
    const q = request.query as Record<string, unknown>;
    try {
      const page = await store.listReplays({
        projectId: project.id,
        filter: parseReplayQuery(stringParam(q.query, 'query')),
        limit: limitParam(q.limit, 50),
        cursor: stringParam(q.cursor, 'cursor'),
      });
      return sendPage(request, reply, page.items, page.nextCursor);
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
  });

  app.get('/api/0/replays/:replayId/', async (request) => loadReplay(request));

  /**
   * Every recorded rrweb event of the replay as one JSON array in time order, timestamps in epoch
   * ms (the Sentry SDK stamps its own custom events in seconds, which would put them in 1970 for
   * a player). Sorting is stable, so events of one moment keep the order they were recorded in.
   */
  app.get('/api/0/replays/:replayId/recording/', async (request) => {
    const replay = await loadReplay(request);
    const segments = await store.replaySegments(replay.projectId, replay.id);
    const events: Array<{ timestamp: number }> = [];
    for (const segment of segments) {
      for (const event of JSON.parse(inflateSync(segment.recording).toString('utf8')) as Array<{ timestamp: number }>) {
        event.timestamp = eventMs(event.timestamp);
        events.push(event);
      }
    }
    return events.sort((a, b) => a.timestamp - b.timestamp);
  });
}
