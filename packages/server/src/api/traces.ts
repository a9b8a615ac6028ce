/**
 * Traces (seed 004): search with the filter-string grammar, one trace with its span tree, errors and
 * logs, and trace tags set or deleted after the fact, one trace or every trace matching a filter.
 */
import { checkTagKey, checkTagValue } from '@proliferate/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hexId } from '../digest/values.js';
import { HttpError } from '../errors.js';
import { parseTraceFilter, parseTraceOrder } from '../query/trace-filter.js';
import type { SpanRecord, TraceSummary as StoredTrace } from '../store/trace-types.js';
import type { Store } from '../store/types.js';
import { canSeeProject, requireProject, requireToken, type Principal } from './auth.js';
import { errors, Id, Limit, ProjectParams } from './contract/common.js';
import { BatchTagResult, TraceDetail, TraceSummary, TraceTagResult, type SpanNode } from './contract/trace-models.js';
import { sendPage, withCursor } from './http.js';
import { typed } from './typed.js';

const FIVE_MINUTES = 5 * 60_000;

const KEY_RULE = 'tag keys are 1 to 32 characters of letters, digits, "_", ".", ":" and "-"';
const VALUE_RULE = 'tag values are text (or a number or boolean) of 1 to 200 characters without a line break';

/** The protocol's tag rules, as 400s that say which rule was broken. */
export function validTraceTag(key: unknown, value?: unknown): { key: string; value?: string } {
  const keyProblem = checkTagKey(key);
  if (keyProblem) throw new HttpError(400, 'invalid_tag_key', `invalid tag key (${keyProblem}): ${KEY_RULE}`);
  if (value === undefined) return { key: key as string };
  const checked = checkTagValue(value);
  if (!checked.ok) throw new HttpError(400, 'invalid_tag_value', `invalid tag value (${checked.reason}): ${VALUE_RULE}`);
  return { key: key as string, value: checked.value };
}

export const traceJson = (t: StoredTrace): TraceSummary => ({ ...t, timestamp: new Date(t.timestampMs).toISOString() });

/** Spans as a tree (children by start time); a span whose parent is missing is a root. */
export function spanTree(spans: SpanRecord[], traceStartMs: number): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const s of spans) nodes.set(s.spanId, { ...s, offsetMs: Math.round((s.startMs - traceStartMs) * 1000) / 1000, depth: 0, children: [] });
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentSpanId ? nodes.get(node.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const setDepth = (list: SpanNode[], depth: number, seen: Set<SpanNode>) => {
    for (const n of list) {
      if (seen.has(n)) continue;
      seen.add(n);
      n.depth = depth;
      setDepth(n.children, depth + 1, seen);
    }
  };
  setDepth(roots, 0, new Set());
  return roots;
}

const tags = ['traces and logs'];
const TraceParams = Type.Object({ traceId: Type.String({ maxLength: 64, description: '32 hexadecimal digits' }) });
const TraceTagParams = Type.Object({ traceId: TraceParams.properties.traceId, key: Type.String({ maxLength: 200 }) });
const ProjectQuery = Type.Object({ project: Type.Optional(Id) });
const TagMap = Type.Record(Type.String(), Type.Unknown(), { description: 'Tag keys and values (text, number or boolean)' });

export async function traceRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  /** The projects visible to the token that hold the trace; `?project=` picks one. */
  async function traceTarget(request: FastifyRequest, rawTraceId: string, wanted: number | undefined): Promise<{ traceId: string; projects: number[]; token: Principal }> {
    const token = await requireToken(request, store);
    const traceId = hexId(rawTraceId);
    if (!traceId) throw new HttpError(400, 'invalid_trace_id', 'a trace id is 32 hexadecimal digits');
    let projects = (await store.traceProjects(traceId)).filter((p) => canSeeProject(token, p));
    if (wanted !== undefined) projects = projects.filter((p) => p === wanted);
    if (projects.length === 0) throw new HttpError(404, 'not_found', 'trace not found');
    return { traceId, projects, token };
  }

  app.get(
    '/api/0/projects/:projectId/traces/',
    {
      schema: {
        tags,
        summary: 'Search traces with the seed 004 filter string and order_by',
        params: ProjectParams,
        querystring: Type.Object({
          filter: Type.Optional(Type.String({ maxLength: 4000, description: "e.g. tags.environment = 'production' AND execution_time_ms > 5000" })),
          filter_string: Type.Optional(Type.String({ maxLength: 4000, description: 'Same as filter' })),
          order_by: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1, description: 'One field and direction, e.g. execution_time_ms DESC' })),
          max_results: Limit(100, 1000),
          limit: Limit(100, 1000),
          page_token: Type.Optional(Type.String({ maxLength: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Type.Array(TraceSummary), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const projectId = (await requireProject(request, store, request.params.projectId)).project.id;
      const q = request.query;
      const page = await withCursor('invalid_page_token', () =>
        store.searchTraces({
          projectId,
          filter: parseTraceFilter(q.filter ?? q.filter_string ?? ''),
          order: parseTraceOrder(q.order_by?.[0]),
          limit: q.max_results ?? q.limit ?? 100,
          pageToken: q.page_token ?? q.cursor,
        }),
      );
      return sendPage(request, reply, page.items.map(traceJson), page.nextCursor);
    },
  );

  // Seed 004 "Batch Tagging": tag (or untag) every trace that matches a filter, in one call.
  app.post(
    '/api/0/projects/:projectId/traces/tags/',
    {
      schema: {
        tags,
        summary: 'Set and/or delete tags on every trace matching a filter',
        params: ProjectParams,
        body: Type.Object({
          filter: Type.Optional(Type.String({ maxLength: 4000 })),
          set: Type.Optional(TagMap),
          tags: Type.Optional(TagMap),
          delete: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 1000, description: 'Tag keys to delete' })),
        }),
        response: { 200: BatchTagResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const projectId = (await requireProject(request, store, request.params.projectId)).project.id;
      const body = request.body;
      const set: Record<string, string> = {};
      for (const [key, value] of Object.entries(body.set ?? body.tags ?? {})) set[key] = validTraceTag(key, value).value!;
      const keys = (body.delete ?? []).map((key) => validTraceTag(key).key);
      if (Object.keys(set).length === 0 && keys.length === 0) throw new HttpError(400, 'invalid_body', 'nothing to do: give set and/or delete');
      const matched = await store.tagMatchingTraces({ projectId, filter: parseTraceFilter(body.filter ?? '') }, set, keys);
      return { matched, set, deleted: keys };
    },
  );

  app.get(
    '/api/0/traces/:traceId/',
    {
      schema: {
        tags,
        summary: 'One trace: its span tree, the errors and the logs around it',
        params: TraceParams,
        querystring: ProjectQuery,
        response: { 200: TraceDetail, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { traceId, projects } = await traceTarget(request, request.params.traceId, request.query.project);
      const projectId = projects[0]!;
      const detail = await store.getTrace(projectId, traceId);
      if (!detail) throw new HttpError(404, 'not_found', 'trace not found');
      const { trace, spans } = detail;
      const from = trace.startMs - FIVE_MINUTES;
      const to = trace.endMs + FIVE_MINUTES;
      const [errorEvents, logs] = await Promise.all([
        store.traceEvents(projectId, traceId, from, to, 100),
        store.listLogs({ projectId, traceId, limit: 1000, order: 'asc' }),
      ]);
      return {
        ...traceJson(trace),
        startMs: trace.startMs,
        endMs: trace.endMs,
        otherProjects: projects.slice(1),
        spans: spanTree(spans, trace.startMs),
        errors: errorEvents,
        logs: logs.items,
      };
    },
  );

  app.put(
    '/api/0/traces/:traceId/tags/:key',
    {
      schema: {
        tags,
        summary: 'Set a tag on a finished trace (seed 004)',
        params: TraceTagParams,
        querystring: ProjectQuery,
        body: Type.Object({ value: Type.Unknown({ description: 'Text, number or boolean' }) }),
        response: { 200: TraceTagResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { traceId, projects } = await traceTarget(request, request.params.traceId, request.query.project);
      const { key, value } = validTraceTag(request.params.key, request.body.value);
      for (const projectId of projects) await store.setTraceTag(projectId, traceId, key, value!);
      return { traceId, key, value: value! };
    },
  );

  app.delete(
    '/api/0/traces/:traceId/tags/:key',
    {
      schema: {
        tags,
        summary: 'Delete a tag of a trace',
        params: TraceTagParams,
        querystring: ProjectQuery,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { traceId, projects } = await traceTarget(request, request.params.traceId, request.query.project);
      const { key } = validTraceTag(request.params.key);
      let found = false;
      for (const projectId of projects) found = (await store.deleteTraceTag(projectId, traceId, key)) || found;
      if (!found) throw new HttpError(404, 'not_found', `the trace has no tag "${key}"`);
      return reply.code(204).send(null);
    },
  );
}
