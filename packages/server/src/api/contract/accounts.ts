/**
 * Request and response shapes of the account routes (session, people, tokens, audit log, project
 * settings). Handlers also check what a schema cannot say (password rules, roles one may grant).
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from './common.js';

const Time = Type.String({ description: 'ISO 8601 time' });
export const RoleName = StringEnum(['owner', 'admin', 'member', 'viewer'] as const, { description: 'Organization role' });
export const Scope = StringEnum(['read', 'write', 'admin'] as const);
const Email = Type.String({ maxLength: 254, description: 'E-mail address' });
const Password = Type.String({ maxLength: 200, description: '10 to 200 characters' });
const LinkToken = Type.String({ maxLength: 200, description: 'The secret from the link (after #token=)' });
const ProjectIds = Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 });

export const User = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: RoleName,
  projectIds: Type.Array(Type.Integer(), { description: 'Projects the user is a member of (owners and admins see all)' }),
  hasPassword: Type.Boolean(),
  ssoLinked: Type.Boolean(),
  createdAt: Time,
});

export const SignedIn = Type.Object({ user: User, role: RoleName, csrfToken: Type.String({ description: 'Send it as X-CSRF-Token on writes' }) });

export const Me = Type.Object({
  kind: StringEnum(['admin_token', 'project_token', 'personal_token', 'session'] as const),
  role: RoleName,
  user: Type.Union([User, Type.Null()]),
  projects: Type.Union([Type.Array(Type.Integer()), Type.Null()], { description: 'Visible project ids; null: every project' }),
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});

export const AuthConfig = Type.Object({
  setupNeeded: Type.Boolean(),
  sso: Type.Union([Type.Object({ label: Type.String() }), Type.Null()]),
  passwordReset: StringEnum(['email', 'cli'] as const),
});

export const PersonalToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  projectId: Type.Union([Type.Integer(), Type.Null()]),
  scopes: Type.Array(Scope),
  createdAt: Time,
  lastUsedAt: Type.Union([Time, Type.Null()]),
});

export const Invitation = Type.Object({
  id: Type.Integer(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([RoleName, Type.Null()]),
  projectIds: Type.Array(Type.Integer()),
  createdAt: Type.Optional(Time),
  expiresAt: Time,
  url: Type.Optional(Type.String({ description: 'The invitation link (only when created)' })),
  emailed: Type.Optional(Type.Boolean()),
});

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Time,
  action: Type.String({ description: 'e.g. sign_in, sign_in.failed, user.role_changed, token.created' }),
  actorUserId: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const ProjectMember = Type.Object({ id: Type.Integer(), email: Type.String(), name: Type.String(), role: RoleName, viaRole: Type.Boolean() });

export const Ok = Type.Object({ ok: Type.Boolean() });

export const Bodies = {
  setup: Type.Object({ token: LinkToken, email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) }),
  signIn: Type.Object({ email: Email, password: Password }),
  password: Type.Object({ currentPassword: Type.Optional(Password), newPassword: Password }),
  resetRequest: Type.Object({ email: Email }),
  resetComplete: Type.Object({ token: LinkToken, password: Password }),
  invitationToken: Type.Object({ token: LinkToken }),
  acceptInvite: Type.Object({ token: LinkToken, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) }),
  token: Type.Object({ name: Type.String({ maxLength: 100 }), scopes: Type.Array(Scope, { minItems: 1, maxItems: 3 }), projectId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])) }),
  userChange: Type.Object({ role: Type.Optional(RoleName), projectIds: Type.Optional(ProjectIds), name: Type.Optional(Type.String({ maxLength: 100 })) }),
  invite: Type.Object({ email: Email, role: Type.Optional(RoleName), projectIds: Type.Optional(ProjectIds) }),
  projectChange: Type.Object({
    name: Type.Optional(Type.String({ maxLength: 100 })),
    slug: Type.Optional(Type.String({ maxLength: 40 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    platform: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    repository: Type.Optional(Type.Union([Type.Object({ url: Type.String({ maxLength: 300 }), defaultBranch: Type.Optional(Type.String({ maxLength: 200 })) }), Type.Null()])),
  }),
  keyLabel: Type.Object({ label: Type.String({ maxLength: 100 }) }),
};
