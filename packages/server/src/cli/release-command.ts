/**
 * `proliferate release create|finalize|list|deploy` and `proliferate issue resolve` (by release),
 * on the store directly like the other commands. A running server picks up resolutions made here
 * within a few seconds (ingest/release-tracker.ts).
 */
import { releaseVersion } from '../api/release-json.js';
import { HttpError } from '../errors.js';
import type { Store } from '../store/types.js';

export const RELEASE_HELP = `Usage: proliferate release create VERSION --project ID [--commit SHA] [--repository URL]
       proliferate release finalize VERSION --project ID
       proliferate release list --project ID
       proliferate release deploy VERSION --project ID --environment ENV [--name NAME]

Releases are also created by the first event that names one, by POST /api/0/projects/{id}/releases/
and by sentry-cli (sentry-cli releases new|finalize|deploys, with --org default).`;

export const ISSUE_HELP = `Usage: proliferate issue resolve ISSUE_ID [--in-next-release | --in-release VERSION]

  --in-next-release      Resolved in the release after the latest one: events of the latest
                         release or older keep it resolved; an event of a later release reopens it.
  --in-release VERSION   Resolved in VERSION: only events of later releases reopen it.
  (neither)              Resolved: any new event reopens it.`;

export class ReleaseCommandError extends Error {}

export interface ReleaseCommandOptions {
  project?: string;
  commit?: string;
  repository?: string;
  environment?: string;
  name?: string;
  'in-next-release'?: boolean;
  'in-release'?: string;
}

async function projectOf(store: Store, text: string | undefined): Promise<number> {
  if (text === undefined) {
    const projects = await store.listProjects();
    if (projects.length === 1) return projects[0]!.id;
    throw new ReleaseCommandError('--project ID is required when there is more than one project');
  }
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0 || !(await store.getProject(id))) throw new ReleaseCommandError(`project ${text} does not exist`);
  return id;
}

function version(text: string | undefined): string {
  if (!text || text.length > 200) throw new ReleaseCommandError('the version must be text of 1 to 200 characters');
  try {
    return releaseVersion(text);
  } catch (error) {
    throw new ReleaseCommandError(error instanceof HttpError ? error.message : String(error));
  }
}

export async function releaseCommand(store: Store, args: string[], options: ReleaseCommandOptions): Promise<string> {
  const [verb, name] = args;
  const projectId = await projectOf(store, options.project);
  switch (verb) {
    case 'create': {
      if (options.commit !== undefined && !/^[0-9a-f]{4,64}$/i.test(options.commit)) throw new ReleaseCommandError('--commit must be a hexadecimal commit SHA');
      if (options.repository !== undefined && !/^https?:\/\//i.test(options.repository)) throw new ReleaseCommandError('--repository must be an http(s) URL');
      const release = await store.upsertRelease(projectId, { version: version(name), commitSha: options.commit, repositoryUrl: options.repository });
      return JSON.stringify(release, null, 2);
    }
    case 'finalize': {
      const v = version(name);
      if (!(await store.getRelease(projectId, v))) throw new ReleaseCommandError(`release ${v} does not exist in project ${projectId}`);
      return JSON.stringify(await store.upsertRelease(projectId, { version: v, dateReleased: Date.now() }), null, 2);
    }
    case 'list':
      return JSON.stringify(await store.listReleases(projectId, 100), null, 2);
    case 'deploy': {
      if (!options.environment || options.environment.length > 64) throw new ReleaseCommandError('--environment ENV is required');
      const deploy = await store.addDeploy(projectId, version(name), { environment: options.environment, name: options.name ?? null });
      if (!deploy) throw new ReleaseCommandError(`release ${name} does not exist in project ${projectId}`);
      return JSON.stringify(deploy, null, 2);
    }
    default:
      throw new ReleaseCommandError(`unknown release command "${verb ?? ''}" (use create, finalize, list or deploy)`);
  }
}

export async function issueCommand(store: Store, args: string[], options: ReleaseCommandOptions): Promise<string> {
  const [verb, idText] = args;
  if (verb !== 'resolve') throw new ReleaseCommandError(`unknown issue command "${verb ?? ''}" (use resolve)`);
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0) throw new ReleaseCommandError('issue resolve needs an ISSUE_ID');
  if (!(await store.getIssue(id))) throw new ReleaseCommandError(`issue ${id} does not exist`);
  if (options['in-next-release'] && options['in-release']) throw new ReleaseCommandError('use --in-next-release or --in-release, not both');
  if (options['in-next-release'] || options['in-release'] !== undefined) {
    const resolution = options['in-next-release'] ? { kind: 'next_release' as const } : { kind: 'release' as const, version: version(options['in-release']) };
    const result = await store.resolveIssueInRelease(id, resolution);
    if (!result) throw new ReleaseCommandError(`release ${options['in-release']} does not exist in the issue's project`);
    return JSON.stringify({ id, status: 'resolved', resolution: result });
  }
  const issue = await store.setIssueStatus(id, 'resolved');
  return JSON.stringify({ id, status: issue?.status });
}
