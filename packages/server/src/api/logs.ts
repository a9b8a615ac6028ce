/**
 * Logs (seed 001): by trace id, time range, level and text; `around=<eventId>` gives the logs of the
 * event's trace within five minutes either side of it, the view of an error's surroundings.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { readStoredEvent } from '../digest/stored-event.js';
import { hexId, isObject } from '../digest/values.js';
import { HttpError } from '../errors.js';
import type { Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { Cursor, errors, Limit, ProjectParams, StringEnum } from './contract/common.js';
import { LogRecord } from './contract/trace-models.js';
import { sendPage, withCursor } from './http.js';
import { typed } from './typed.js';

export const AROUND_MS = 5 * 60_000;
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

const Time = Type.Optional(Type.String({ maxLength: 40, description: 'ISO time or epoch milliseconds' }));

/** ISO time or epoch milliseconds. */
function timeParam(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid_parameter', `${name} must be an ISO time or epoch milliseconds`);
  return ms;
}

/** The session_id / window_id parameters as attribute conditions (a log names them either way). */
function sessionAttributes(q: { session_id?: string; window_id?: string }) {
  const out: Array<{ names: string[]; value: string }> = [];
  if (q.session_id) out.push({ names: ['session_id', 'session.id'], value: q.session_id });
  if (q.window_id) out.push({ names: ['window_id', 'window.id'], value: q.window_id });
  return out;
}

export async function logRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  app.get(
    '/api/0/projects/:projectId/logs/',
    {
      schema: {
        tags: ['traces and logs'],
        summary: 'Search logs by trace, time, level and text; around=<eventId> gives the logs around an error',
        params: ProjectParams,
        querystring: Type.Object({
          trace_id: Type.Optional(Type.String({ maxLength: 64, description: '32 hexadecimal digits' })),
          start: Time,
          end: Time,
          order: Type.Optional(StringEnum(['asc', 'desc'] as const, { description: 'Default desc (asc with around)' })),
          around: Type.Optional(Type.String({ maxLength: 64, description: 'An event id: its trace’s logs within five minutes either side' })),
          level: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated: trace, debug, info, warn, error, fatal' })),
          query: Type.Optional(Type.String({ maxLength: 1000, description: 'Text the log body contains' })),
          session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Logs whose session_id (or session.id) attribute is this session (seed 001)' })),
          window_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Logs whose window_id (or window.id) attribute is this browser tab' })),
          limit: Limit(100, 1000),
          cursor: Cursor,
        }),
        response: { 200: Type.Array(LogRecord), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const projectId = (await requireProject(request, store, request.params.projectId)).project.id;
      const q = request.query;

      let traceId = q.trace_id === undefined ? undefined : hexId(q.trace_id);
      if (q.trace_id !== undefined && !traceId) throw new HttpError(400, 'invalid_parameter', 'trace_id is 32 hexadecimal digits');
      let from = timeParam(q.start, 'start');
      let to = timeParam(q.end, 'end');
      let order = q.order ?? 'desc';

      if (q.around !== undefined) {
        const eventId = hexId(q.around);
        const record = eventId ? await store.getEvent(projectId, eventId) : undefined;
        const event = record && readStoredEvent(record);
        if (!event) throw new HttpError(404, 'not_found', 'event not found');
        const contexts = isObject(event.payload.contexts) ? event.payload.contexts : {};
        const eventTrace = isObject(contexts.trace) ? hexId(contexts.trace.trace_id) : undefined;
        const at = Date.parse(event.timestamp);
        reply.header('x-trace-id', eventTrace ?? '');
        // An event without a trace id has no correlated logs (never guessed from time alone).
        if (!eventTrace) return [];
        if (traceId && traceId !== eventTrace) throw new HttpError(400, 'invalid_parameter', 'trace_id differs from the trace of the event');
        traceId = eventTrace;
        from = Math.max(from ?? -Infinity, at - AROUND_MS);
        to = Math.min(to ?? Infinity, at + AROUND_MS);
        if (q.order === undefined) order = 'asc';
      }

      const levels = q.level
        ?.split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean)
        .map((l) => (l === 'warning' ? 'warn' : l));
      for (const level of levels ?? []) {
        if (!LEVELS.has(level)) throw new HttpError(400, 'invalid_parameter', `unknown level "${level}" (use ${[...LEVELS].join(', ')})`);
      }
      const page = await withCursor('invalid_cursor', () =>
        store.listLogs({ projectId, traceId, from, to, levels, text: q.query || undefined, attributes: sessionAttributes(q), limit: q.limit ?? 100, cursor: q.cursor, order }),
      );
      return sendPage(request, reply, page.items, page.nextCursor);
    },
  );
}
