/**
 * Project settings (seed 001): name, slug, description, platform, linked repository; keys (DSNs)
 * created, renamed, rotated and revoked; the people who can see the project; deleting it (type the
 * slug); retention, storage budget and erasure (data-settings.tsx); fingerprint rules
 * (fingerprint-rules-settings.tsx). Admins and owners change them;
 * everyone else reads.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { ErasureSection, RetentionSection } from './data-settings.js';
import { useAsync } from '../hooks.js';
import { navigate } from '../router.js';
import { useCan } from '../session.js';
import type { Project } from '../types.js';
import { IngestPolicySettings } from './ingest-policy-settings.js';
import { FingerprintRulesSettings } from './fingerprint-rules-settings.js';

interface Key {
  publicKey: string;
  label: string;
  dsn: string;
  createdAt: string;
}

interface Member {
  id: number;
  email: string;
  role: string;
  viaRole: boolean;
}

export function ProjectSettingsPage({ projectId, onProjectsChanged }: { projectId: string; onProjectsChanged: () => void }) {
  const admin = useCan('admin');
  const project = useAsync(() => api<Project>(`/api/0/projects/${encodeURIComponent(projectId)}/`), [projectId]);
  const keys = useAsync(() => api<Key[]>(`/api/0/projects/${encodeURIComponent(projectId)}/keys/`), [projectId]);
  const members = useAsync(() => api<Member[]>(`/api/0/projects/${encodeURIComponent(projectId)}/members/`), [projectId]);
  const [error, setError] = useState<Error | null>(null);
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      keys.reload();
      project.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  if (project.error) return <ErrorBox error={project.error} />;
  if (!project.data) return <Loading />;
  const p = project.data;
  return (
    <div class="settings">
      <h1>Project settings</h1>
      {error && <ErrorBox error={error} />}
      <GeneralForm project={p} readOnly={!admin} onSaved={() => (project.reload(), onProjectsChanged())} />
      <section class="card" data-testid="keys">
        <h2>Keys (DSNs)</h2>
        <table class="table">
          <tbody>
            {(keys.data ?? []).map((k) => (
              <tr data-key={k.publicKey}>
                <td>
                  {admin ? (
                    <input aria-label="Key name" value={k.label} onChange={(e) => void act(() => api(`/api/0/projects/${p.id}/keys/${k.publicKey}/`, { method: 'PUT', body: { label: (e.target as HTMLInputElement).value } }))} />
                  ) : (
                    k.label
                  )}
                </td>
                <td>
                  <code class="mono small-text">{k.dsn}</code>
                </td>
                {admin && (
                  <td>
                    <button type="button" onClick={() => confirm('Rotate this key? A new DSN replaces it and the old one stops working at once.') && void act(() => api(`/api/0/projects/${p.id}/keys/${k.publicKey}/rotate/`, { method: 'POST' }))}>
                      Rotate
                    </button>{' '}
                    <button type="button" class="danger" onClick={() => confirm('Revoke this key? Events sent with it are refused from now on.') && void act(() => api(`/api/0/projects/${p.id}/keys/${k.publicKey}/`, { method: 'DELETE' }))}>
                      Revoke
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {admin && (
          <button type="button" onClick={() => void act(() => api(`/api/0/projects/${p.id}/keys/`, { method: 'POST', body: { label: 'New key' } }))}>
            New key
          </button>
        )}
      </section>
      <section class="card">
        <h2>Team members</h2>
        <ul class="plain-list">
          {(members.data ?? []).map((m) => (
            <li>
              {m.email} <span class="muted">· {m.role}{m.viaRole ? ' (sees every project)' : ''}</span>
            </li>
          ))}
        </ul>
        {admin && <p class="muted small-text">Change who belongs to the project on the Team page.</p>}
      </section>
      <IngestPolicySettings projectId={p.id} readOnly={!admin} />
      <FingerprintRulesSettings projectId={p.id} readOnly={!admin} />
      <RetentionSection projectId={p.id} admin={admin} />
      {admin && <ErasureSection />}
      {admin && <DeleteProject project={p} onDeleted={onProjectsChanged} />}
    </div>
  );
}

function GeneralForm({ project, readOnly, onSaved }: { project: Project; readOnly: boolean; onSaved: () => void }) {
  const [fields, setFields] = useState(() => fromProject(project));
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => setFields(fromProject(project)), [project.id]);
  const input = (name: keyof typeof fields, label: string, placeholder = '') => (
    <label class="field">
      <span>{label}</span>
      <input name={name} disabled={readOnly} placeholder={placeholder} value={fields[name]} onInput={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <section class="card">
      <h2>General</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await api(`/api/0/projects/${project.id}/`, {
              method: 'PUT',
              body: {
                name: fields.name,
                slug: fields.slug,
                description: fields.description,
                platform: fields.platform || null,
                repository: fields.repoUrl ? { url: fields.repoUrl, defaultBranch: fields.repoBranch || 'main' } : null,
              },
            });
            setMessage('Saved.');
            onSaved();
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        {input('name', 'Name')}
        {input('slug', 'Slug')}
        {input('description', 'Description')}
        {input('platform', 'Platform', 'javascript, node, python…')}
        {input('repoUrl', 'Linked repository', 'https://github.com/acme/shop')}
        {input('repoBranch', 'Default branch', 'main')}
        <p class="muted small-text">With a linked repository, in-app stack frames link to the file and line at the event's release (when it is a commit SHA), else at the default branch.</p>
        {!readOnly && <button type="submit">Save</button>}
        {message && <span class="muted"> {message}</span>}
      </form>
      {error && <ErrorBox error={error} />}
    </section>
  );
}

function fromProject(p: Project) {
  return {
    name: p.name,
    slug: p.slug,
    description: p.description ?? '',
    platform: p.platform ?? '',
    repoUrl: p.repository?.url ?? '',
    repoBranch: p.repository?.defaultBranch ?? 'main',
  };
}

function DeleteProject({ project, onDeleted }: { project: Project; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<Error | null>(null);
  return (
    <section class="card danger-zone">
      <h2>Delete project</h2>
      <p class="muted">Its keys stop working at once and it disappears for everyone. Type its slug, {project.slug}, to confirm.</p>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api(`/api/0/projects/${project.id}/`, { method: 'DELETE', body: { confirm: typed } });
            onDeleted();
            navigate('/');
          } catch (err) {
            setError(err as Error);
          }
        }}
      >
        <input name="confirm-slug" aria-label="Project slug" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <button type="submit" class="danger" disabled={typed !== project.slug}>
          Delete this project
        </button>
      </form>
      {error && <ErrorBox error={error} />}
    </section>
  );
}
