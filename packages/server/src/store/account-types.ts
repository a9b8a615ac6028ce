/**
 * The part of the storage contract that holds people: users, their project memberships, sessions,
 * personal API tokens, one-time links (owner set-up, invitations, password resets, SSO state), the
 * audit log and project settings. `Store` extends it; every backend implements it in its own
 * account-queries.ts. Secrets (session ids, tokens, one-time links) are stored only as SHA-256
 * hashes; password hashes are made above the store (api/passwords.ts) and stored as opaque text.
 */

export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

export type TokenScope = 'read' | 'write' | 'admin';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Projects the user is a member of (owners and admins see every project regardless). */
  projectIds: number[];
  hasPassword: boolean;
  /** `issuer|subject` of the linked single-sign-on identity, if any. */
  ssoLinked: boolean;
  createdAt: string;
}

/** A user with what signing in needs; never leaves the server. */
export interface UserCredentials extends User {
  passwordHash: string | null;
}

export interface NewUser {
  email: string;
  name?: string;
  role: Role;
  passwordHash: string | null;
  oidcSubject?: string | null;
  projectIds?: number[];
}

export interface Session {
  userId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** Any API token as it authenticates: the admin / CLI tokens have no user, personal tokens have one. */
export interface VerifiedApiToken {
  id: number;
  name: string;
  projectId: number | null;
  userId: number | null;
  scopes: TokenScope[];
}

export interface PersonalToken {
  id: number;
  name: string;
  projectId: number | null;
  scopes: TokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
}

export type OneTimePurpose = 'setup' | 'invite' | 'reset' | 'oidc';

export interface OneTimeLink {
  id: number;
  purpose: OneTimePurpose;
  email: string | null;
  role: Role | null;
  projectIds: number[];
  userId: number | null;
  /** Purpose-specific values (the SSO flow keeps its PKCE verifier and nonce here). */
  data: Record<string, string>;
  createdBy: number | null;
  createdAt: string;
  expiresAt: string;
}

export interface NewOneTimeLink {
  purpose: OneTimePurpose;
  tokenHash: string;
  expiresAt: number;
  email?: string | null;
  role?: Role | null;
  projectIds?: number[];
  userId?: number | null;
  data?: Record<string, string>;
  createdBy?: number | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  action: string;
  actorUserId: number | null;
  /** Who did it, as shown: an e-mail, "admin token #1", "cli". */
  actor: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'details'> & { details?: Record<string, unknown> };

export interface Repository {
  url: string;
  defaultBranch: string;
}

export interface ProjectSettings {
  description: string;
  platform: string | null;
  repository: Repository | null;
}

export interface ProjectChanges {
  name?: string;
  slug?: string;
  description?: string;
  platform?: string | null;
  repository?: Repository | null;
}

export interface AccountStore {
  createUser(input: NewUser): Promise<User>;
  countUsers(): Promise<number>;
  listUsers(): Promise<User[]>;
  getUser(id: number): Promise<User | undefined>;
  findUserByEmail(email: string): Promise<UserCredentials | undefined>;
  findUserByOidcSubject(subject: string): Promise<User | undefined>;
  linkOidcSubject(userId: number, subject: string): Promise<void>;
  /** Changes role and/or memberships; returns the user after the change. */
  updateUser(id: number, changes: { role?: Role; projectIds?: number[]; name?: string }): Promise<User | undefined>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  deleteUser(id: number): Promise<boolean>;
  countOwners(): Promise<number>;

  /** `idHash` is the SHA-256 of the cookie value; the cookie value itself is never stored. */
  createSession(idHash: string, session: Session): Promise<void>;
  /** A live session (expired ones are deleted on sight); touches its last-seen time. */
  getSession(idHash: string, now: number): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Signs the user out everywhere, optionally keeping one session (the one changing the password). */
  deleteUserSessions(userId: number, exceptIdHash?: string): Promise<number>;

  createPersonalToken(input: { userId: number; name: string; tokenHash: string; scopes: TokenScope[]; projectId: number | null }): Promise<PersonalToken>;
  listPersonalTokens(userId: number): Promise<PersonalToken[]>;
  revokePersonalToken(userId: number, tokenId: number): Promise<boolean>;
  /** Any API token by its hash; records the last use (at most once a minute per token). */
  verifyApiToken(tokenHash: string, now: number): Promise<VerifiedApiToken | undefined>;

  createOneTimeLink(input: NewOneTimeLink): Promise<OneTimeLink>;
  /** Marks the link used and returns it, once; undefined when unknown, used, expired or another purpose. */
  consumeOneTimeLink(tokenHash: string, purpose: OneTimePurpose, now: number): Promise<OneTimeLink | undefined>;
  /** Without using it (to show an invitation before it is accepted). */
  peekOneTimeLink(tokenHash: string, purpose: OneTimePurpose, now: number): Promise<OneTimeLink | undefined>;
  listOneTimeLinks(purpose: OneTimePurpose, now: number): Promise<OneTimeLink[]>;
  deleteOneTimeLink(id: number, purpose: OneTimePurpose): Promise<boolean>;
  /** Cancels every unused link of a purpose (e.g. older set-up links when a new one is printed). */
  deleteOneTimeLinks(purpose: OneTimePurpose): Promise<void>;

  appendAudit(entry: NewAuditEntry, now: number): Promise<void>;
  /** Newest first; `before` is the id to continue below. */
  listAudit(limit: number, before?: number): Promise<AuditEntry[]>;

  getProjectSettings(projectId: number): Promise<ProjectSettings>;
  /** Name, slug and settings; 'slug_taken' when another project has the slug. */
  updateProject(projectId: number, changes: ProjectChanges): Promise<'updated' | 'not_found' | 'slug_taken'>;
  /** Hides the project everywhere, deactivates its keys (returned, to drop them from caches) and frees its slug. */
  deleteProject(projectId: number): Promise<string[] | undefined>;
  renameProjectKey(projectId: number, publicKey: string, label: string): Promise<boolean>;
}
