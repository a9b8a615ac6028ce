/**
 * Session replay routes. Replays follow the access rules of events: a token limited to one
 * project sees only that project's replays, and other replays answer 404 (not 403).
 */
import { inflateSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { eventMs } from '../ingest/replay/recording.js';
import type { ReplaySummary } from '../store/replay-types.js';
import type { Store } from '../store/types.js';
import { assertProjectAccess, requireProject, requireToken } from './auth.js';
import { Cursor, errors, Limit, ProjectParams } from './contract/common.js';
import { RecordingEvent, Replay, ReplayId } from './contract/replays.js';
import { sendPage, withCursor } from './http.js';
import { parseReplayQuery } from './replay-search.js';
import { typed } from './typed.js';

const tags = ['replays'];
const ReplayParams = Type.Object({ replayId: ReplayId });

export async function replayRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  async function loadReplay(request: FastifyRequest, replayId: string): Promise<ReplaySummary> {
    const token = await requireToken(request, store);
    // A token limited to one project looks only there; anyone else finds it, then membership decides.
    const replay = await store.getReplay(replayId.replace(/-/g, '').toLowerCase(), token.tokenProject);
    if (!replay) throw new HttpError(404, 'not_found', 'replay not found');
    assertProjectAccess(token, replay.projectId, 'replay');
    return replay;
  }

  app.get(
    '/api/0/projects/:projectId/replays/',
    {
      schema: {
        tags,
        summary: "The project's replays, most recently started first",
        params: ProjectParams,
        querystring: Type.Object({
          query: Type.Optional(
            Type.String({
              maxLength: 1000,
              description: 'Terms that must all match: key:value (user.email, url, release, a tag...) or free text',
            }),
          ),
          limit: Limit(50, 100),
          cursor: Cursor,
        }),
        response: { 200: Type.Array(Replay), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const q = request.query;
      const page = await withCursor('invalid_cursor', () =>
        store.listReplays({ projectId: project.id, filter: parseReplayQuery(q.query), limit: q.limit ?? 50, cursor: q.cursor }),
      );
      return sendPage(request, reply, page.items, page.nextCursor);
    },
  );

  app.get(
    '/api/0/replays/:replayId/',
    {
      schema: {
        tags,
        summary: 'One replay: who, where, how long, and the errors during it',
        params: ReplayParams,
        response: { 200: Replay, ...errors(400, 401, 404) },
      },
    },
    async (request) => loadReplay(request, request.params.replayId),
  );

  /**
   * Every recorded rrweb event of the replay as one JSON array in time order, timestamps in epoch
   * ms (the Sentry SDK stamps its own custom events in seconds, which would put them in 1970 for
   * a player). Sorting is stable, so events of one moment keep the order they were recorded in.
   */
  app.get(
    '/api/0/replays/:replayId/recording/',
    {
      schema: {
        tags,
        summary: "The replay's rrweb events in time order, timestamps in epoch milliseconds",
        params: ReplayParams,
        response: { 200: Type.Array(RecordingEvent), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const replay = await loadReplay(request, request.params.replayId);
      const segments = await store.replaySegments(replay.projectId, replay.id);
      const events: RecordingEvent[] = [];
      for (const segment of segments) {
        for (const event of JSON.parse(inflateSync(segment.recording).toString('utf8')) as RecordingEvent[]) {
          event.timestamp = eventMs(event.timestamp);
          events.push(event);
        }
      }
      return events.sort((a, b) => a.timestamp - b.timestamp);
    },
  );
}
