/**
 * Who a request acts for. Four kinds, one shape:
 * - admin token (no user, every project): acts as owner, for automation;
 * - project token (no user, one project, made by `proliferate token create --project`): acts as
 *   admin of that project only;
 * - personal token (a user's, with scopes read / write / admin and optionally one project): the
 *   user's role capped by the scope (read: viewer, write: member, admin: the user's role), and the
 *   user's projects, narrowed to the token's project;
 * - session cookie (a signed-in user): the user's role and projects. Owners and admins see every
 *   project; members and viewers the projects they are members of.
 * Resolved once per request and remembered.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { hashSecret, sameText } from '../accounts/secrets.js';
import type { Role, TokenScope, User } from '../store/account-types.js';
import type { Store } from '../store/types.js';

export const SESSION_COOKIE = 'proliferate_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  kind: 'admin_token' | 'project_token' | 'personal_token' | 'session';
  /** The token's id (0 for a session); with name and projectId this keeps the old ApiToken shape. */
  id: number;
  name: string;
  /**
   * Kept for callers written before accounts: null only when every project is visible, the one
   * project when exactly one is, else -1 (matches none). New code calls canSeeProject.
   */
  projectId: number | null;
  role: Role;
  user: User | null;
  /** Visible projects; null means every project. */
  projects: ReadonlySet<number> | null;
  /** The one project a token is limited to (organization-wide actions are refused then). */
  tokenProject: number | null;
  /** How the audit log names the actor. */
  label: string;
  sessionIdHash?: string;
  csrfToken?: string;
}

const SCOPE_CAP: Record<TokenScope, Role> = { read: 'viewer', write: 'member', admin: 'owner' };
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const lower = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

function userProjects(user: User, tokenProject: number | null): ReadonlySet<number> | null {
  const all = user.role === 'owner' || user.role === 'admin';
  if (tokenProject !== null) return all || user.projectIds.includes(tokenProject) ? new Set([tokenProject]) : new Set();
  return all ? null : new Set(user.projectIds);
}

function legacyProjectId(projects: ReadonlySet<number> | null): number | null {
  if (projects === null) return null;
  return projects.size === 1 ? [...projects][0]! : -1;
}

const resolved = new WeakMap<FastifyRequest, Promise<Principal>>();

/** The request's principal, or 401. Bearer tokens win over a session cookie. */
export function resolvePrincipal(request: FastifyRequest, store: Store): Promise<Principal> {
  let found = resolved.get(request);
  if (!found) {
    found = resolve(request, store);
    resolved.set(request, found);
  }
  return found;
}

/** The principal if one was already resolved for this request (for the audit log). */
export function knownPrincipal(request: FastifyRequest): Promise<Principal> | undefined {
  return resolved.get(request);
}

async function resolve(request: FastifyRequest, store: Store): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = typeof header === 'string' ? /^\s*Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new HttpError(401, 'unauthorized', 'Send an API token as Authorization: Bearer <token>');
    return fromToken(match[1]!, store);
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return fromSession(request, cookie, store);
  throw new HttpError(401, 'unauthorized', 'Sign in, or send an API token as Authorization: Bearer <token>');
}

async function fromToken(secret: string, store: Store): Promise<Principal> {
  const token = secret.length <= 200 ? await store.verifyApiToken(hashSecret(secret), Date.now()) : undefined;
  if (!token) throw new HttpError(401, 'unauthorized', 'The API token is not valid');
  if (token.userId === null) {
    const projects = token.projectId === null ? null : new Set([token.projectId]);
    return {
      kind: token.projectId === null ? 'admin_token' : 'project_token',
      id: token.id,
      name: token.name,
      projectId: token.projectId,
      role: token.projectId === null ? 'owner' : 'admin',
      user: null,
      projects,
      tokenProject: token.projectId,
      label: `token #${token.id} (${token.name})`,
    };
  }
  const user = await store.getUser(token.userId);
  if (!user) throw new HttpError(401, 'unauthorized', 'The API token is not valid');
  const cap = token.scopes.reduce<Role>((best, scope) => (RANK[SCOPE_CAP[scope]] > RANK[best] ? SCOPE_CAP[scope] : best), 'viewer');
  const projects = userProjects(user, token.projectId);
  return {
    kind: 'personal_token',
    id: token.id,
    name: token.name,
    projectId: legacyProjectId(projects),
    role: lower(user.role, cap),
    user,
    projects,
    tokenProject: token.projectId,
    label: `${user.email} (token #${token.id})`,
  };
}

async function fromSession(request: FastifyRequest, cookie: string, store: Store): Promise<Principal> {
  const idHash = hashSecret(cookie);
  const session = cookie.length <= 200 ? await store.getSession(idHash, Date.now()) : undefined;
  const user = session && (await store.getUser(session.userId));
  if (!session || !user) throw new HttpError(401, 'unauthorized', 'Your session has ended: sign in again');
  // Cookie-authenticated writes must carry the per-session token that only our own pages can read
  // (SameSite=Lax already stops cross-site POSTs in current browsers; this covers the rest).
  if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameText(sent, session.csrfToken)) {
      throw new HttpError(403, 'csrf_failed', `A signed-in write must send the session's CSRF token in the ${CSRF_HEADER} header`);
    }
  }
  const projects = userProjects(user, null);
  return {
    kind: 'session',
    id: 0,
    name: user.email,
    projectId: legacyProjectId(projects),
    role: user.role,
    user,
    projects,
    tokenProject: null,
    label: user.email,
    sessionIdHash: idHash,
    csrfToken: session.csrfToken,
  };
}
