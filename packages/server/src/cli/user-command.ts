/**
 * `proliferate user ...`: people managed from the server's machine (when no one can sign in yet,
 * or when the server sends no e-mail and a password must be reset).
 */
import { hashPassword, passwordProblem } from '../accounts/passwords.js';
import { ROLES, type Role, type User } from '../store/account-types.js';
import type { Store } from '../store/types.js';

export const USER_HELP = `Usage: proliferate user create EMAIL --role owner|admin|member|viewer [--project SLUG]... [--name NAME] --password-stdin
       proliferate user list
       proliferate user set-role EMAIL --role ROLE [--project SLUG]...
       proliferate user set-password EMAIL --password-stdin
       proliferate user delete EMAIL

  --role R          owner and admin see every project; member and viewer only their --project ones
  --project SLUG    A project the user belongs to (repeat for several; a slug or an id). With
                    set-role, the list replaces the user's projects
  --password-stdin  Read the password from standard input (echo "$PW" | proliferate user create ...),
                    so it never appears in the process list or the shell history
  set-password also ends every session of the user (the reset path when the server sends no e-mail).`;

export class UserCommandError extends Error {}

export interface UserFlags {
  role?: string;
  project?: string[];
  name?: string;
  'password-stdin'?: boolean;
}

async function readPassword(flags: UserFlags, email: string, stdin: () => Promise<string>): Promise<string> {
  if (!flags['password-stdin']) throw new UserCommandError('give the password on standard input with --password-stdin');
  const password = (await stdin()).replace(/\r?\n$/, '');
  const problem = passwordProblem(password, email);
  if (problem) throw new UserCommandError(problem);
  return password;
}

function role(flags: UserFlags): Role {
  if (!flags.role || !ROLES.includes(flags.role as Role)) throw new UserCommandError(`--role must be one of ${ROLES.join(', ')}`);
  return flags.role as Role;
}

async function projectIds(store: Store, refs: string[] = []): Promise<number[]> {
  const projects = await store.listProjects();
  return refs.map((ref) => {
    const project = projects.find((p) => p.slug === ref || String(p.id) === ref);
    if (!project) throw new UserCommandError(`no project "${ref}" (see "proliferate project list")`);
    return project.id;
  });
}

async function existing(store: Store, email: string | undefined): Promise<User> {
  if (!email) throw new UserCommandError('give the user\'s EMAIL');
  const user = await store.findUserByEmail(email);
  if (!user) throw new UserCommandError(`no user ${email} (see "proliferate user list")`);
  const { passwordHash: _hidden, ...visible } = user;
  return visible;
}

const show = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, projectIds: u.projectIds, hasPassword: u.hasPassword, sso: u.ssoLinked, createdAt: u.createdAt });

export async function userCommand(store: Store, args: string[], flags: UserFlags, stdin: () => Promise<string>): Promise<string> {
  const [sub, email] = args;
  const audit = (action: string, target: string, details: Record<string, unknown> = {}) =>
    store.appendAudit({ action, actorUserId: null, actor: 'cli', target, ip: null, details }, Date.now());
  switch (sub) {
    case 'create': {
      if (!email || !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email)) throw new UserCommandError('user create needs an EMAIL');
      const wanted = role(flags);
      const ids = await projectIds(store, flags.project);
      if (await store.findUserByEmail(email)) throw new UserCommandError(`${email} already has an account`);
      const password = await readPassword(flags, email, stdin);
      const user = await store.createUser({ email, name: flags.name ?? '', role: wanted, passwordHash: await hashPassword(password), projectIds: ids });
      await audit('user.created', email, { role: wanted, projectIds: ids });
      return JSON.stringify(show(user), null, 2);
    }
    case 'list':
      return JSON.stringify((await store.listUsers()).map(show), null, 2);
    case 'set-role': {
      const user = await existing(store, email);
      const wanted = role(flags);
      if (user.role === 'owner' && wanted !== 'owner' && (await store.countOwners()) <= 1) throw new UserCommandError('this is the last owner: make someone else owner first');
      const ids = flags.project ? await projectIds(store, flags.project) : undefined;
      const updated = (await store.updateUser(user.id, { role: wanted, projectIds: ids }))!;
      await audit('user.role_changed', user.email, { from: user.role, to: wanted });
      return JSON.stringify(show(updated), null, 2);
    }
    case 'set-password': {
      const user = await existing(store, email);
      const password = await readPassword(flags, user.email, stdin);
      await store.setPasswordHash(user.id, await hashPassword(password));
      const ended = await store.deleteUserSessions(user.id);
      await audit('password.reset', user.email, { otherSessionsEnded: ended });
      return `password of ${user.email} set; ${ended} session(s) ended`;
    }
    case 'delete': {
      const user = await existing(store, email);
      if (user.role === 'owner' && (await store.countOwners()) <= 1) throw new UserCommandError('this is the last owner: make someone else owner first');
      await store.deleteUser(user.id);
      await audit('user.deleted', user.email, { role: user.role });
      return `user ${user.email} deleted`;
    }
    default:
      throw new UserCommandError(`unknown user command "${sub ?? ''}" (use create, list, set-role, set-password or delete)`);
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 4096) throw new UserCommandError('standard input is too long for a password');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
