/** `proliferate erase-user` and `proliferate delete issue|event` (docs/operations.md#deletion). */
import { DEFAULT_RETENTION } from '../config.js';
import { runBatches } from '../lifecycle/batches.js';
import { eraseUser } from '../lifecycle/erasure.js';
import type { Store } from '../store/types.js';

export class LifecycleCommandError extends Error {}

export const ERASE_HELP = `Usage: proliferate erase-user (--user-id ID | --email EMAIL) [--project ID ...]

  GDPR erasure: deletes every event and replay about one person (the user.id or user.email the SDK
  sent), with their identity in tag values and distinct-user counts, in every project (or only
  the --project ones). Safe while the server runs. Prints what was deleted as JSON.`;

export const DELETE_HELP = `Usage: proliferate delete issue ID
       proliferate delete event EVENT_ID --project ID

  Deletes an issue with all its events, or one event. Safe while the server runs.`;

export async function eraseCommand(store: Store, values: { 'user-id'?: string; email?: string; project?: string[] }): Promise<string> {
  const userId = values['user-id'];
  const email = values.email;
  if ((userId === undefined) === (email === undefined)) throw new LifecycleCommandError('erase-user needs exactly one of --user-id or --email');
  const value = (userId ?? email)!;
  if (value.length === 0 || value.length > 200) throw new LifecycleCommandError('the user id or e-mail must be 1 to 200 characters');
  const all = (await store.listProjects()).map((p) => p.id);
  const projects = values.project?.map((text) => {
    const id = Number(text);
    if (!all.includes(id)) throw new LifecycleCommandError(`project ${text} does not exist`);
    return id;
  }) ?? all;
  const report = await eraseUser(store, projects, { field: userId !== undefined ? 'id' : 'email', value }, DEFAULT_RETENTION);
  await store.appendAudit({ action: 'user.erased', actor: 'cli', actorUserId: null, target: null, ip: null, details: { field: userId !== undefined ? 'id' : 'email', projects, events: report.events } }, Date.now());
  return JSON.stringify(report, null, 2);
}

export async function deleteCommand(store: Store, args: string[], values: { project?: string[] }): Promise<string> {
  const [what, id] = args;
  if (what === 'issue') {
    const issueId = Number(id);
    const issue = Number.isInteger(issueId) && issueId > 0 ? await store.getIssue(issueId) : undefined;
    if (!issue) throw new LifecycleCommandError(`no issue ${id ?? ''}`);
    const done = await runBatches(() => store.deleteIssueBatch(issue.projectId, issue.id, DEFAULT_RETENTION.batchSize), DEFAULT_RETENTION.pauseMs);
    return `deleted issue ${issue.id} (${issue.title}) and ${done.events} events`;
  }
  if (what === 'event') {
    const projectId = Number(values.project?.[0]);
    if (!Number.isInteger(projectId) || projectId <= 0 || (values.project?.length ?? 0) !== 1) throw new LifecycleCommandError('delete event needs one --project ID');
    const eventId = (id ?? '').replace(/-/g, '').toLowerCase();
    if (!(await store.deleteEvent(projectId, eventId))) throw new LifecycleCommandError(`no event ${id ?? ''} in project ${projectId}`);
    return `deleted event ${eventId}`;
  }
  throw new LifecycleCommandError('use "delete issue ID" or "delete event EVENT_ID --project ID"');
}
