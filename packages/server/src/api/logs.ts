/**
 * Logs (seed 001): by trace id, time range, level and text; `around=<eventId>` gives the logs of the
 * event's trace within five minutes either side of it, the view of an error's surroundings.
 */
import type { FastifyInstance } from 'fastify';
import { readStoredEvent } from '../digest/stored-event.js';
import { hexId, isObject } from '../digest/values.js';
import { HttpError } from '../errors.js';
import type { LogQuery } from '../store/trace-types.js';
import type { Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { limitParam, sendPage, stringParam } from './http.js';

export const AROUND_MS = 5 * 60_000;
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** ISO time or epoch milliseconds. */
function timeParam(value: unknown, name: string): number | undefined {
  const text = stringParam(value, name);
  if (text === undefined || text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid_parameter', `${name} must be an ISO time or epoch milliseconds`);
  return ms;
}

export async function logRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  app.get('/api/0/projects/:projectId/logs/', async (request, reply) => {
    const projectId = (await requireProject(request, store)).project.id;
    const q = request.query as Record<string, unknown>;

    const rawTrace = stringParam(q.trace_id, 'trace_id');
    let traceId = rawTrace === undefined ? undefined : hexId(rawTrace);
    if (rawTrace !== undefined && !traceId) throw new HttpError(400, 'invalid_parameter', 'trace_id is 32 hexadecimal digits');
    let from = timeParam(q.start, 'start');
    let to = timeParam(q.end, 'end');
    let order = (stringParam(q.order, 'order') ?? 'desc') as LogQuery['order'];
    if (order !== 'asc' && order !== 'desc') throw new HttpError(400, 'invalid_parameter', 'order is asc or desc');

    const around = stringParam(q.around, 'around');
    if (around !== undefined) {
      const eventId = hexId(around);
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

    const levels = stringParam(q.level, 'level')
      ?.split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean)
      .map((l) => (l === 'warning' ? 'warn' : l));
    for (const level of levels ?? []) {
      if (!LEVELS.has(level)) throw new HttpError(400, 'invalid_parameter', `unknown level "${level}" (use ${[...LEVELS].join(', ')})`);
    }
    try {
      const page = await store.listLogs({
        projectId,
        traceId,
        from,
        to,
        levels,
        text: stringParam(q.query, 'query') || undefined,
        limit: limitParam(q.limit, 100, 1000),
        cursor: stringParam(q.cursor, 'cursor'),
        order,
      });
      return sendPage(request, reply, page.items, page.nextCursor);
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
  });
}
