/**
 * `proliferate trace tag set|delete`: trace tags after the fact from a shell (seed 004), on one trace
 * by id or, with --filter, on every trace of a project that matches a filter string.
 */
import { checkTagKey, checkTagValue } from '@proliferate/protocol';
import { hexId } from '../digest/values.js';
import { parseTraceFilter } from '../query/trace-filter.js';
import type { Store } from '../store/types.js';

export const TRACE_HELP = `Usage: proliferate trace tag set TRACE_ID KEY VALUE [--project ID] [--data-dir DIR]
       proliferate trace tag delete TRACE_ID KEY [--project ID] [--data-dir DIR]
       proliferate trace tag set --filter "status = 'ERROR'" KEY VALUE --project ID
       proliferate trace tag delete --filter "tags.needs_review = 'true'" KEY --project ID

  --project ID    The project of the trace (default: every project that has the trace id)
  --filter TEXT   Tag every trace of the project matching this filter (docs/traces.md)

Keys: 1 to 32 letters, digits, "_", ".", ":" or "-". Values: 1 to 200 characters, no line break.`;

export class TraceCommandError extends Error {}

function checkKey(key: string | undefined): string {
  const problem = key === undefined ? 'key_empty' : checkTagKey(key);
  if (problem) throw new TraceCommandError(`invalid tag key "${key ?? ''}" (${problem}): keys are 1 to 32 letters, digits, "_", ".", ":" or "-"`);
  return key!;
}

function checkValue(value: string | undefined): string {
  const checked = checkTagValue(value);
  if (!checked.ok) throw new TraceCommandError(`invalid tag value (${checked.reason}): values are 1 to 200 characters without a line break`);
  return checked.value;
}

/** Runs the command and returns what to print. */
export async function traceCommand(store: Store, args: string[], options: { project?: string; filter?: string }): Promise<string> {
  const [noun, verb, ...rest] = args;
  if (noun !== 'tag' || (verb !== 'set' && verb !== 'delete')) throw new TraceCommandError('use "trace tag set" or "trace tag delete"');
  const projectId = options.project === undefined ? undefined : Number(options.project);
  if (projectId !== undefined && !(Number.isInteger(projectId) && projectId > 0)) throw new TraceCommandError('--project must be a project id');

  if (options.filter !== undefined) {
    if (projectId === undefined) throw new TraceCommandError('--filter needs --project');
    if (!(await store.getProject(projectId))) throw new TraceCommandError(`project ${projectId} does not exist`);
    const [key, value] = rest;
    const filter = parseTraceFilter(options.filter);
    const matched = verb === 'set'
      ? await store.tagMatchingTraces({ projectId, filter }, { [checkKey(key)]: checkValue(value) }, [])
      : await store.tagMatchingTraces({ projectId, filter }, {}, [checkKey(key)]);
    return JSON.stringify({ matched, key, ...(verb === 'set' ? { value } : { deleted: true }) });
  }

  const [rawId, key, value] = rest;
  const traceId = hexId(rawId);
  if (!traceId) throw new TraceCommandError('TRACE_ID must be 32 hexadecimal digits');
  const tagKey = checkKey(key);
  const tagValue = verb === 'set' ? checkValue(value) : undefined;
  const projects = (await store.traceProjects(traceId)).filter((p) => projectId === undefined || p === projectId);
  if (projects.length === 0) throw new TraceCommandError(`trace ${traceId} not found`);
  let changed = false;
  for (const p of projects) {
    changed = (verb === 'set' ? await store.setTraceTag(p, traceId, tagKey, tagValue!) : await store.deleteTraceTag(p, traceId, tagKey)) || changed;
  }
  if (!changed) throw new TraceCommandError(`trace ${traceId} has no tag "${tagKey}"`);
  return JSON.stringify({ traceId, projects, key: tagKey, ...(verb === 'set' ? { value: tagValue } : { deleted: true }) });
}
