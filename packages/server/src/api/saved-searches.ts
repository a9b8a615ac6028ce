/**
 * Saved searches of a project (docs/triage.md): private to their author or shared with the project,
 * pinned as tabs on the issue list. The query is checked with the search parser when saved, so a
 * tab never holds a search that answers 400.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { parseSearch } from '../query/issue-search.js';
import type { SavedSearch as StoredSearch } from '../store/triage-types.js';
import type { Store } from '../store/types.js';
import { atLeast, requireProject, type Principal } from './auth.js';
import { errors, Id, ProjectParams } from './contract/common.js';
import { SavedSearch, SavedSearchBody, SavedSearchPatch } from './contract/triage.js';
import { authorName } from './triage-routes.js';
import { typed } from './typed.js';

const tags = ['triage'];
const SearchParams = Type.Object({ projectId: Id, searchId: Id });
/** Tabs are for a handful of searches; more than this (shared plus one's own) is a script gone wrong. */
const MAX_SEARCHES = 200;

const isMine = (s: StoredSearch, principal: Principal) => (principal.user ? s.userId === principal.user.id : s.userId === null && s.createdBy === principal.label);
const view = (s: StoredSearch, principal: Principal) => ({
  id: s.id,
  projectId: s.projectId,
  name: s.name,
  query: s.query,
  sort: s.sort,
  visibility: s.visibility,
  pinned: s.pinned,
  position: s.position,
  createdBy: s.createdBy,
  mine: isMine(s, principal),
  createdAt: s.createdAt,
});

function checkQuery(query: string): void {
  try {
    parseSearch(query);
  } catch (error) {
    throw new HttpError(400, 'invalid_query', `body.query: ${(error as Error).message}`, {}, { field: 'body.query' });
  }
}

export async function savedSearchRoutes(fastify: FastifyInstance, options: { store: Store }) {
  const app = typed(fastify);
  const { store } = options;

  /** A search the caller may see; `change` also needs them to own it (or be an admin for a shared one). */
  async function loadSearch(request: FastifyRequest, projectId: number, searchId: number, change: boolean) {
    const { token, project } = await requireProject(request, store, projectId);
    const search = await store.getSavedSearch(project.id, searchId);
    const visible = search && (search.visibility === 'shared' || isMine(search, token));
    if (!search || !visible) throw new HttpError(404, 'not_found', 'saved search not found');
    if (change && !isMine(search, token) && !atLeast(token.role, 'admin')) {
      throw new HttpError(403, 'forbidden', 'Only its author or an admin may change a shared search');
    }
    return { token, project, search };
  }

  app.get(
    '/api/0/projects/:projectId/searches/',
    {
      schema: {
        tags,
        summary: "The project's shared searches and your private ones, in tab order",
        params: ProjectParams,
        response: { 200: Type.Array(SavedSearch), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { token, project } = await requireProject(request, store, request.params.projectId);
      return (await store.listSavedSearches(project.id, token.user?.id ?? null)).filter((s) => s.visibility === 'shared' || isMine(s, token)).map((s) => view(s, token));
    },
  );

  app.post(
    '/api/0/projects/:projectId/searches/',
    {
      schema: { tags, summary: 'Save a search', params: ProjectParams, body: SavedSearchBody, response: { 201: SavedSearch, ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const { token, project } = await requireProject(request, store, request.params.projectId);
      const body = request.body;
      checkQuery(body.query);
      // A token without a user has nobody to keep a private search for.
      const visibility = body.visibility ?? (token.user ? 'private' : 'shared');
      if (visibility === 'private' && !token.user) throw new HttpError(400, 'invalid_body', 'a token without a user can only save shared searches', {}, { field: 'body.visibility' });
      const existing = await store.listSavedSearches(project.id, token.user?.id ?? null);
      if (existing.length >= MAX_SEARCHES) throw new HttpError(400, 'too_many_searches', `at most ${MAX_SEARCHES} saved searches (shared and your own) per project`);
      const created = await store.createSavedSearch({
        projectId: project.id,
        name: body.name.trim() || body.query,
        query: body.query,
        sort: body.sort ?? null,
        visibility,
        userId: token.user?.id ?? null,
        createdBy: authorName(token),
        pinned: body.pinned ?? true,
      });
      return reply.code(201).send(view(created, token));
    },
  );

  app.put(
    '/api/0/projects/:projectId/searches/:searchId/',
    {
      schema: {
        tags,
        summary: 'Rename, change, share, pin or move a saved search',
        params: SearchParams,
        body: SavedSearchPatch,
        response: { 200: SavedSearch, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { token, project } = await loadSearch(request, request.params.projectId, request.params.searchId, true);
      const body = request.body;
      if (body.query !== undefined) checkQuery(body.query);
      if (body.visibility === 'private' && !token.user) throw new HttpError(400, 'invalid_body', 'a token without a user can only keep shared searches', {}, { field: 'body.visibility' });
      const updated = await store.updateSavedSearch(project.id, request.params.searchId, body);
      if (!updated) throw new HttpError(404, 'not_found', 'saved search not found');
      return view(updated, token);
    },
  );

  app.delete(
    '/api/0/projects/:projectId/searches/:searchId/',
    { schema: { tags, summary: 'Delete a saved search', params: SearchParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { project } = await loadSearch(request, request.params.projectId, request.params.searchId, true);
      await store.deleteSavedSearch(project.id, request.params.searchId);
      return reply.code(204).send(null);
    },
  );
}
