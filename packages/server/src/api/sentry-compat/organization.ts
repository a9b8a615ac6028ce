/**
 * The one organization of an install, as Sentry tooling names it (`--org`, `/organizations/{slug}/`),
 * and the projects it names by slug. Tokens limited to a project see only that project.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { Project, Store } from '../../store/types.js';
import type { Principal } from '../principal.js';
import { canSeeProject, requireToken } from '../auth.js';

export const ORGANIZATION_SLUG = 'default';

export function requireOrganization(request: FastifyRequest): void {
  const { org } = request.params as { org?: string };
  if (org !== ORGANIZATION_SLUG) {
    throw new HttpError(404, 'organization_not_found', `organization ${JSON.stringify(org)} not found: this install's organization is "${ORGANIZATION_SLUG}"`);
  }
}

/** Authenticates the token and checks the organization in the path. */
export async function requireOrgToken(request: FastifyRequest, store: Store): Promise<Principal> {
  requireOrganization(request);
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
export async function projectsFromBody(store: Store, token: Principal, value: unknown, fallbackAll: boolean): Promise<Project[]> {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return fallbackAll ? visibleProjects(store, token) : [];
  }
  if (!Array.isArray(value) || value.length > 100 || !value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new HttpError(400, 'invalid_body', 'projects must be a list of at most 100 project slugs');
  }
  const projects: Project[] = [];
  for (const slug of value) projects.push(await projectBySlug(store, token, String(slug)));
  return projects;
}
