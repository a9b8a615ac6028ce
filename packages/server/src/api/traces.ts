/**
 * Traces (seed 004): search with the filter-string grammar, one trace with its span tree, errors and
 * logs, and trace tags set or deleted after the fact, one trace or every trace matching a filter.
 */
import { checkTagKey, checkTagValue } from '@proliferate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hexId, isObject } from '../digest/values.js';
import { HttpError } from '../errors.js';
import { parseTraceFilter, parseTraceOrder } from '../query/trace-filter.js';
import type { SpanRecord, TraceSummary } from '../store/trace-types.js';
import type { Store } from '../store/types.js';
import { canSeeProject, requireProject, requireToken, type Principal } from './auth.js';
import { idParam, limitParam, sendPage, stringParam } from './http.js';

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

export const traceJson = (t: TraceSummary) => ({ ...t, timestamp: new Date(t.timestampMs).toISOString() });

type SpanNode = SpanRecord & { offsetMs: number; depth: number; children: SpanNode[] };

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

export async function traceRoutes(app: FastifyInstance, options: { store: Store }) {
  const { store } = options;

  const projectParam = async (request: FastifyRequest) => (await requireProject(request, store)).project.id;

  /** The projects visible to the token that hold the trace; `?project=` picks one. */
  async function traceTarget(request: FastifyRequest): Promise<{ traceId: string; projects: number[]; token: Principal }> {
    const token = await requireToken(request, store);
    const raw = (request.params as { traceId: string }).traceId;
    const traceId = hexId(raw);
    if (!traceId) throw new HttpError(400, 'invalid_trace_id', 'a trace id is 32 hexadecimal digits');
    const q = request.query as Record<string, unknown>;
    const wanted = stringParam(q.project, 'project');
    let projects = (await store.traceProjects(traceId)).filter((p) => canSeeProject(token, p));
    if (wanted !== undefined) projects = projects.filter((p) => p === idParam(wanted, 'project'));
    if (projects.length === 0) throw new HttpError(404, 'not_found', 'trace not found');
    return { traceId, projects, token };
  }

  app.get('/api/0/projects/:projectId/traces/', async (request, reply) => {
    const projectId = await projectParam(request);
    const q = request.query as Record<string, unknown>;
    const orderBy = q.order_by === undefined ? undefined : Array.isArray(q.order_by) ? q.order_by : [q.order_by];
    if (orderBy && orderBy.length > 1) throw new HttpError(400, 'invalid_parameter', 'order_by takes one field and direction');
    try {
      const page = await store.searchTraces({
        projectId,
        filter: parseTraceFilter(stringParam(q.filter, 'filter') ?? stringParam(q.filter_string, 'filter_string') ?? ''),
        order: parseTraceOrder(orderBy?.[0] === undefined ? undefined : String(orderBy[0])),
        limit: limitParam(q.max_results ?? q.limit, 100, 1000),
        pageToken: stringParam(q.page_token, 'page_token') ?? stringParam(q.cursor, 'cursor'),
      });
      return sendPage(request, reply, page.items.map(traceJson), page.nextCursor);
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, 'invalid_page_token', error.message);
      throw error;
    }
  });

  // Seed 004 "Batch Tagging": tag (or untag) every trace that matches a filter, in one call.
  app.post('/api/0/projects/:projectId/traces/tags/', async (request) => {
    const projectId = await projectParam(request);
    const body = request.body as { filter?: unknown; set?: unknown; tags?: unknown; delete?: unknown } | undefined;
    if (!isObject(body)) throw new HttpError(400, 'invalid_body', 'send {"filter": "...", "set": {"key": "value"}, "delete": ["key"]}');
    if (body.filter !== undefined && typeof body.filter !== 'string') throw new HttpError(400, 'invalid_body', 'filter must be a filter string');
    const setInput = body.set ?? body.tags ?? {};
    if (!isObject(setInput)) throw new HttpError(400, 'invalid_body', 'set must be an object of tag keys and values');
    const remove = body.delete ?? [];
    if (!Array.isArray(remove)) throw new HttpError(400, 'invalid_body', 'delete must be a list of tag keys');
    const set: Record<string, string> = {};
    for (const [key, value] of Object.entries(setInput)) set[key] = validTraceTag(key, value).value!;
    const keys = remove.map((key) => validTraceTag(key).key);
    if (Object.keys(set).length === 0 && keys.length === 0) throw new HttpError(400, 'invalid_body', 'nothing to do: give set and/or delete');
    const matched = await store.tagMatchingTraces({ projectId, filter: parseTraceFilter(body.filter ?? '') }, set, keys);
    return { matched, set, deleted: keys };
  });

  app.get('/api/0/traces/:traceId/', async (request) => {
    const { traceId, projects } = await traceTarget(request);
    const projectId = projects[0]!;
    const detail = await store.getTrace(projectId, traceId);
    if (!detail) throw new HttpError(404, 'not_found', 'trace not found');
    const { trace, spans } = detail;
    const from = trace.startMs - FIVE_MINUTES;
    const to = trace.endMs + FIVE_MINUTES;
    const [errors, logs] = await Promise.all([
      store.traceEvents(projectId, traceId, from, to, 100),
      store.listLogs({ projectId, traceId, limit: 1000, order: 'asc' }),
    ]);
    return {
      ...traceJson(trace),
      startMs: trace.startMs,
      endMs: trace.endMs,
      otherProjects: projects.slice(1),
      spans: spanTree(spans, trace.startMs),
      errors,
      logs: logs.items,
    };
  });

  app.put('/api/0/traces/:traceId/tags/:key', async (request) => {
    const { traceId, projects } = await traceTarget(request);
    const body = request.body as { value?: unknown } | undefined;
    if (!isObject(body) || !('value' in body)) throw new HttpError(400, 'invalid_body', 'send {"value": "..."}');
    const { key, value } = validTraceTag((request.params as { key: string }).key, body.value);
    for (const projectId of projects) await store.setTraceTag(projectId, traceId, key, value!);
    return { traceId, key, value };
  });

  app.delete('/api/0/traces/:traceId/tags/:key', async (request, reply) => {
    const { traceId, projects } = await traceTarget(request);
    const { key } = validTraceTag((request.params as { key: string }).key);
    let found = false;
    for (const projectId of projects) found = (await store.deleteTraceTag(projectId, traceId, key)) || found;
    if (!found) throw new HttpError(404, 'not_found', `the trace has no tag "${key}"`);
    reply.code(204).send();
  });
}
