/**
 * The one organization of an install, as Sentry tooling names it (`--org`, `/organizations/{slug}/`),
 * and the projects it names by slug. Tokens limited to a project see only that project.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { Project, Store } from '../../store/types.js';
import type { Principal } from '../principal.js';
import { requireToken, canSeeProject } from '../auth.js';

export const ORGANIZATION_SLUG = 'default';

/** The organization slug in a path (`--org`); this install has one, `default`. */
export const OrgSlug = Type.String({
  minLength: 1,
  maxLength: 100,
  description: `The organization slug: this install's is "${ORGANIZATION_SLUG}"`,
});
/** A project by slug or numeric id, as sentry-cli's `--project` names it. */
export const ProjectSlug = Type.String({ minLength: 1, maxLength: 100, description: 'A project slug (or numeric id)' });
export const OrgParams = Type.Object({ org: OrgSlug });
/** The group of these routes on the reference page. */
export const SENTRY_CLI_TAGS = ['sentry-cli'];

export function requireOrganization(org: string): void {
  if (org !== ORGANIZATION_SLUG) {
    throw new HttpError(
      404,
      'organization_not_found',
      `organization ${JSON.stringify(org)} not found: this install's organization is "${ORGANIZATION_SLUG}"`,
    );
  }
}

/** Authenticates the token and checks the organization in the path. */
export async function requireOrgToken(request: FastifyRequest, store: Store, org: string): Promise<Principal> {
  requireOrganization(org);
  return requireToken(request, store);
}

/** The projects a token may see. */
export async function visibleProjects(store: Store, token: Principal): Promise<Project[]> {
  const all = await store.listProjects();
  return all.filter((p) => canSeeProject(token, p.id));
}

/** A project named by slug or numeric id, if the token may see it. */
export async function projectBySlug(store: Store, token: Principal, slugOrId: string): Promise<Project> {
  const project = (await visibleProjects(store, token)).find((p) => p.slug === slugOrId || String(p.id) === slugOrId);
  if (!project) throw new HttpError(404, 'project_not_found', `project ${JSON.stringify(slugOrId)} not found`);
  return project;
}

/**
 * Projects listed in a body (`projects: ["slug", ...]`). When none are listed, every project the
 * token sees (`fallbackAll`), or none.
 */
export async function projectsFromBody(
  store: Store,
  token: Principal,
  value: Array<string | number> | null | undefined,
  fallbackAll: boolean,
): Promise<Project[]> {
  if (!value || value.length === 0) return fallbackAll ? visibleProjects(store, token) : [];
  const projects: Project[] = [];
  for (const slug of value) projects.push(await projectBySlug(store, token, String(slug)));
  return projects;
}
