/** Who is signed in, as /api/0/auth/me/ tells; pages read it to hide what the role cannot do. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface Me {
  kind: 'admin_token' | 'project_token' | 'personal_token' | 'session';
  role: Role;
  user: { id: number; email: string; name: string; role: Role; projectIds: number[] } | null;
  /** Visible project ids; null means every project. */
  projects: number[] | null;
  csrfToken: string | null;
}

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
export const atLeast = (me: Me | null, role: Role) => me !== null && RANK[me.role] >= RANK[role];

export const MeContext = createContext<Me | null>(null);
export const useMe = () => useContext(MeContext);
/** The server checks every action; this only hides buttons the role cannot use. */
export const useCan = (role: Role) => atLeast(useMe(), role);
