/** People (owners and admins): roles, project memberships, invitations by link (and e-mail). */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { dateTime } from '../format.js';
import { useAsync } from '../hooks.js';
import { useMe, type Role } from '../session.js';
import type { Project } from '../types.js';

interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  projectIds: number[];
  ssoLinked: boolean;
}

interface Invitation {
  id: number;
  email: string;
  role: Role;
  projectIds: number[];
  expiresAt: string;
}

const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];

function ProjectChecks({ projects, value, onChange, name }: { projects: Project[]; value: number[]; onChange: (ids: number[]) => void; name: string }) {
  return (
    <span class="project-checks">
      {projects.map((p) => (
        <label class="check">
          <input
            type="checkbox"
            name={name}
            value={String(p.id)}
            checked={value.includes(p.id)}
            onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...value, p.id] : value.filter((id) => id !== p.id))}
          />
          {p.name}
        </label>
      ))}
    </span>
  );
}

export function TeamPage() {
  const me = useMe();
  const users = useAsync(() => api<User[]>('/api/0/users/'), []);
  const invitations = useAsync(() => api<Invitation[]>('/api/0/invitations/'), []);
  const projects = useAsync(() => api<Project[]>('/api/0/projects/'), []);
  const [error, setError] = useState<Error | null>(null);
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(err as Error);
    }
    users.reload();
    invitations.reload();
  };
  if (users.error) return <ErrorBox error={users.error} />;
  if (!users.data || !projects.data) return <Loading />;
  const roles = me?.role === 'owner' ? ROLES : ROLES.filter((r) => r !== 'owner');
  return (
    <div class="settings">
      <h1>Team</h1>
      <p class="muted">Owners and admins see every project and manage people; members triage the projects they belong to; viewers only read them.</p>
      {error && <ErrorBox error={error} />}
      <InviteForm projects={projects.data} roles={roles} onInvited={() => invitations.reload()} />
      <section class="card">
        <h2>People</h2>
        <table class="table" data-testid="users">
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Role</th>
              <th>Projects</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr data-user={u.email}>
                <td>
                  {u.email}
                  {u.name && <span class="muted"> · {u.name}</span>}
                  {u.ssoLinked && <span class="badge">SSO</span>}
                </td>
                <td>
                  <select aria-label={`Role of ${u.email}`} value={u.role} disabled={u.role === 'owner' && me?.role !== 'owner'} onChange={(e) => void act(() => api(`/api/0/users/${u.id}/`, { method: 'PUT', body: { role: (e.target as HTMLSelectElement).value } }))}>
                    {(u.role === 'owner' ? ROLES : roles).map((r) => (
                      <option value={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.role === 'owner' || u.role === 'admin' ? (
                    <span class="muted">all projects</span>
                  ) : (
                    <ProjectChecks projects={projects.data!} name={`projects-${u.id}`} value={u.projectIds} onChange={(ids) => void act(() => api(`/api/0/users/${u.id}/`, { method: 'PUT', body: { projectIds: ids } }))} />
                  )}
                </td>
                <td>
                  {u.id !== me?.user?.id && (
                    <button type="button" class="danger" onClick={() => confirm(`Remove ${u.email}? They are signed out at once.`) && void act(() => api(`/api/0/users/${u.id}/`, { method: 'DELETE' }))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Pending invitations</h2>
        {(invitations.data ?? []).length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="plain-list">
            {invitations.data!.map((i) => (
              <li>
                {i.email} as {i.role}, valid until {dateTime(i.expiresAt)}{' '}
                <button type="button" class="link-button" onClick={() => void act(() => api(`/api/0/invitations/${i.id}/`, { method: 'DELETE' }))}>
                  revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function InviteForm({ projects, roles, onInvited }: { projects: Project[]; roles: Role[]; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [projectIds, setProjectIds] = useState<number[]>([]);
  const [link, setLink] = useState<{ url: string; emailed: boolean } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  return (
    <section class="card">
      <h2>Invite someone</h2>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const answer = await api<{ url: string; emailed: boolean }>('/api/0/invitations/', { method: 'POST', body: { email: email.trim(), role, projectIds } });
            setLink(answer);
            setEmail('');
            onInvited();
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <input type="email" name="invite-email" placeholder="name@example.com" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <select name="invite-role" aria-label="Role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
          {roles.map((r) => (
            <option value={r}>{r}</option>
          ))}
        </select>
        {(role === 'member' || role === 'viewer') && <ProjectChecks projects={projects} value={projectIds} onChange={setProjectIds} name="invite-projects" />}
        <button type="submit" class="primary" disabled={!email.trim()}>
          Invite
        </button>
      </form>
      {link && (
        <div class="notice">
          <p>{link.emailed ? 'Sent by e-mail. The link, valid for 7 days and usable once:' : 'Send this link (valid for 7 days, usable once):'}</p>
          <pre class="code" data-testid="invite-link">{link.url}</pre>
        </div>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}
