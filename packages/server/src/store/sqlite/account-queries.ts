import { sql, type Kysely, type Selectable} from 'kysely';
import type {
  AccountStore,
  NewUser,
  PersonalToken,
  Role,
  Session,
  TokenScope,
  User,
  UserCredentials,
  VerifiedApiToken,
} from '../account-types.js';
import type { Tables } from './tables.js';

const iso = (ms: number) => new Date(ms).toISOString();
/** Recording every use would turn each API read into a write; once a minute is what a person reads. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const scopesFrom = (text: string): TokenScope[] => text.split(',').filter((s): s is TokenScope => s === 'read' || s === 'write' || s === 'admin');

type UserRow = Selectable<Tables['users']>;

/** Users, memberships, sessions and personal tokens (SQLite). Links, audit and settings: account-records.ts. */
export class AccountQueries implements Pick<AccountStore, UserMethods> {
  constructor(private readonly db: Kysely<Tables>) {}

  private async memberships(userIds: number[]): Promise<Map<number, number[]>> {
    const map = new Map<number, number[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return map;
    const rows = await this.db
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .select(['m.user_id', 'm.project_id'])
      .where('m.user_id', 'in', userIds)
      .where('p.deleted_at', 'is', null)
      .orderBy('m.project_id')
      .execute();
    for (const r of rows) map.get(r.user_id)?.push(r.project_id);
    return map;
  }

  private toUser(row: UserRow, projectIds: number[]): User {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role as Role,
      projectIds,
      hasPassword: row.password_hash !== null,
      ssoLinked: row.oidc_subject !== null,
      createdAt: iso(row.created_at),
    };
  }

  private async withMemberships(rows: UserRow[]): Promise<User[]> {
    const map = await this.memberships(rows.map((r) => r.id));
    return rows.map((r) => this.toUser(r, map.get(r.id) ?? []));
  }

  async createUser(input: NewUser): Promise<User> {
    const now = Date.now();
    const id = await immediate(this.db, async (tx) => {
      const { id } = await tx
        .insertInto('users')
        .values({
          email: input.email,
          name: input.name ?? '',
          role: input.role,
          password_hash: input.passwordHash,
          oidc_subject: input.oidcSubject ?? null,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const projectId of new Set(input.projectIds ?? [])) {
        await tx.insertInto('project_members').values({ project_id: projectId, user_id: id, created_at: now }).execute();
      }
      return id;
    });
    return (await this.getUser(id))!;
  }

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countOwners(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'owner').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listUsers(): Promise<User[]> {
    return this.withMemberships(await this.db.selectFrom('users').selectAll().orderBy('id').execute());
  }

  async getUser(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && (await this.withMemberships([row]))[0];
  }

  async findUserByEmail(email: string): Promise<UserCredentials | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    if (!row) return undefined;
    const [user] = await this.withMemberships([row]);
    return { ...user!, passwordHash: row.password_hash };
  }

  async findUserByOidcSubject(subject: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
    return row && (await this.withMemberships([row]))[0];
  }

  async linkOidcSubject(userId: number, subject: string): Promise<void> {
    await this.db.updateTable('users').set({ oidc_subject: subject }).where('id', '=', userId).execute();
  }

  async updateUser(id: number, changes: { role?: Role; projectIds?: number[]; name?: string }): Promise<User | undefined> {
    const found = await immediate(this.db, async (tx) => {
      const row = await tx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      if (changes.role !== undefined || changes.name !== undefined) {
        await tx
          .updateTable('users')
          .set({ ...(changes.role !== undefined ? { role: changes.role } : {}), ...(changes.name !== undefined ? { name: changes.name } : {}) })
          .where('id', '=', id)
          .execute();
      }
      if (changes.projectIds !== undefined) {
        await tx.deleteFrom('project_members').where('user_id', '=', id).execute();
        const now = Date.now();
        for (const projectId of new Set(changes.projectIds)) {
          await tx.insertInto('project_members').values({ project_id: projectId, user_id: id, created_at: now }).execute();
        }
      }
      return true;
    });
    return found ? this.getUser(id) : undefined;
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  }

  async deleteUser(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createSession(idHash: string, session: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: idHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.createdAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async getSession(idHash: string, now: number): Promise<Session | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at <= now) {
      await this.deleteSession(idHash);
      return undefined;
    }
    if (now - row.last_seen_at > LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
    }
    return { userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteUserSessions(userId: number, exceptIdHash?: string): Promise<number> {
    let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptIdHash !== undefined) query = query.where('id_hash', '!=', exceptIdHash);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async createPersonalToken(input: { userId: number; name: string; tokenHash: string; scopes: TokenScope[]; projectId: number | null }): Promise<PersonalToken> {
    const now = Date.now();
    const { id } = await this.db
      .insertInto('api_tokens')
      .values({
        name: input.name,
        token_hash: input.tokenHash,
        project_id: input.projectId,
        user_id: input.userId,
        scopes: input.scopes.join(','),
        created_at: now,
        last_used_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, name: input.name, projectId: input.projectId, scopes: input.scopes, createdAt: iso(now), lastUsedAt: null };
  }

  async listPersonalTokens(userId: number): Promise<PersonalToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      projectId: r.project_id,
      scopes: scopesFrom(r.scopes),
      createdAt: iso(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
    }));
  }

  async revokePersonalToken(userId: number, tokenId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('api_tokens').where('id', '=', tokenId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async verifyApiToken(tokenHash: string, now: number): Promise<VerifiedApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'project_id', 'user_id', 'scopes', 'last_used_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return { id: row.id, name: row.name, projectId: row.project_id, userId: row.user_id, scopes: scopesFrom(row.scopes) };
  }
}

type UserMethods =
  | 'createUser'
  | 'countUsers'
  | 'countOwners'
  | 'listUsers'
  | 'getUser'
  | 'findUserByEmail'
  | 'findUserByOidcSubject'
  | 'linkOidcSubject'
  | 'updateUser'
  | 'setPasswordHash'
  | 'deleteUser'
  | 'createSession'
  | 'getSession'
  | 'deleteSession'
  | 'deleteUserSessions'
  | 'createPersonalToken'
  | 'listPersonalTokens'
  | 'revokePersonalToken'
  | 'verifyApiToken';

/**
 * A write transaction that takes the lock first (BEGIN IMMEDIATE): in a deferred one that reads
 * before writing, a commit by the writer thread in between makes SQLite refuse the upgrade.
 */
export async function immediate<T>(db: Kysely<Tables>, run: (tx: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await run(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(conn);
      throw error;
    }
  });
}
