/**
 * Alerts of a project: the rules with their last firing, a form to create or edit one (the query
 * field has the issue search's autocomplete), "send test", and each rule's delivery log.
 */
import { useState } from 'preact/hooks';
import type { AlertActionBody, AlertDeliveries, AlertFiring, AlertRule, AlertRuleBody, AlertTestResult, AlertTrigger } from '@proliferate/api';
import { api, ApiError } from '../api.js';
import { SearchBar } from '../components/search-bar.js';
import { ErrorBox, Loading } from '../components/status.js';
import { useAsync } from '../hooks.js';

type Rule = AlertRule;
type Trigger = AlertTrigger;
type Action = AlertActionBody;
type ActionType = Action['type'];
/** What the form edits: a rule's body (api/contract/alerts.ts AlertRuleBody) with every field present. */
type Draft = Required<AlertRuleBody>;

const TRIGGERS: Record<Trigger, string> = {
  new_issue: 'A new issue is created',
  regression: 'A resolved issue comes back',
  frequency: 'An issue has at least N events in M minutes',
  users: 'An issue reaches N distinct users in M minutes',
  spike: "The project's events in M minutes exceed K times the baseline",
};
const WINDOWED = new Set<Trigger>(['frequency', 'users', 'spike']);

function describeTrigger(r: Rule): string {
  if (r.trigger === 'frequency') return `≥ ${r.threshold} events in ${r.windowMinutes} min`;
  if (r.trigger === 'users') return `≥ ${r.threshold} users in ${r.windowMinutes} min`;
  if (r.trigger === 'spike') return `${r.threshold}× baseline over ${r.windowMinutes} min`;
  return r.trigger === 'new_issue' ? 'new issue' : 'regression';
}

const emptyRule = (): Draft => ({
  name: '', trigger: 'new_issue', environments: [], query: '', threshold: null, windowMinutes: null, throttleMinutes: 30, enabled: true,
  actions: [{ type: 'slack', url: '' }],
});

export function AlertsPage({ projectId }: { projectId: string }) {
  const [version, setVersion] = useState(0);
  const rules = useAsync(() => api<Rule[]>(`/api/0/projects/${encodeURIComponent(projectId)}/alert-rules/`), [projectId, version]);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [logFor, setLogFor] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const reload = () => setVersion((v) => v + 1);

  async function sendTest(rule: Rule) {
    setNotice('Sending…');
    try {
      const result = await api<AlertTestResult>(
        `/api/0/alert-rules/${rule.id}/test/`, { method: 'POST', body: {} },
      );
      setNotice(result.results.map((r) => `${r.type} → ${r.target}: ${r.ok ? `sent (${r.responseCode ?? 'ok'})` : `failed: ${r.error}`}`).join('\n'));
    } catch (error) {
      setNotice(`Test failed: ${(error as Error).message}`);
    }
  }

  async function remove(rule: Rule) {
    if (!confirm(`Delete the rule "${rule.name}"?`)) return;
    await api(`/api/0/alert-rules/${rule.id}/`, { method: 'DELETE' });
    reload();
  }

  return (
    <div>
      <div class="card-head">
        <h1>Alerts</h1>
        <button onClick={() => setEditing('new')}>New rule</button>
      </div>
      {notice && <pre class="code" data-testid="alert-notice">{notice}</pre>}
      {editing && (
        <RuleForm
          projectId={projectId}
          rule={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {rules.error ? (
        <ErrorBox error={rules.error} />
      ) : !rules.data ? (
        <Loading />
      ) : rules.data.length === 0 ? (
        <p class="muted">No alert rules yet. A rule tells people about new issues, regressions or bursts by e-mail, Slack, Discord, Teams or webhook.</p>
      ) : (
        <table class="alerts-table" data-testid="alert-rules">
          <thead>
            <tr><th>Rule</th><th>Trigger</th><th>Filters</th><th>Actions</th><th>Last fired</th><th /></tr>
          </thead>
          <tbody>
            {rules.data.map((r) => (
              <>
                <tr key={r.id}>
                  <td>{r.name}{!r.enabled && <span class="muted"> (disabled)</span>}</td>
                  <td>{describeTrigger(r)}</td>
                  <td class="mono small-text">{[r.environments.length ? `environment: ${r.environments.join(', ')}` : '', r.query].filter(Boolean).join(' · ') || 'all events'}</td>
                  <td>{r.actions.map((a) => a.type).join(', ')}</td>
                  <td>{r.lastFiredAt ? new Date(r.lastFiredAt).toLocaleString() : <span class="muted">never</span>}</td>
                  <td class="nowrap">
                    <button class="link-button" onClick={() => setEditing(r)}>Edit</button>{' '}
                    <button class="link-button" onClick={() => sendTest(r)}>Send test</button>{' '}
                    <button class="link-button" onClick={() => setLogFor(logFor === r.id ? null : r.id)}>Deliveries</button>{' '}
                    <button class="link-button" onClick={() => remove(r)}>Delete</button>
                  </td>
                </tr>
                {logFor === r.id && (
                  <tr>
                    <td colSpan={6}>
                      <DeliveryLog ruleId={r.id} />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DeliveryLog({ ruleId }: { ruleId: number }) {
  const log = useAsync(() => api<AlertDeliveries>(`/api/0/alert-rules/${ruleId}/deliveries/?limit=100`), [ruleId]);
  if (log.error) return <ErrorBox error={log.error} />;
  if (!log.data) return <Loading />;
  if (log.data.attempts.length === 0) return <p class="muted">No deliveries yet.</p>;
  return (
    <table class="alerts-table small-text" data-testid="delivery-log">
      <thead>
        <tr><th>Time</th><th>Notification</th><th>Channel</th><th>Target</th><th>Result</th><th>Took</th></tr>
      </thead>
      <tbody>
        {log.data.attempts.map((a) => (
          <tr>
            <td>{new Date(a.at).toLocaleString()}</td>
            <td>#{a.outboxId} ({a.status})</td>
            <td>{a.actionType}</td>
            <td class="mono">{a.target}</td>
            <td>{a.ok ? `ok ${a.responseCode ?? ''}` : `failed ${a.responseCode ?? ''} ${a.error ?? ''}`}</td>
            <td>{a.durationMs} ms</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const draftOf = (r: Rule): Draft => ({
  name: r.name, trigger: r.trigger, environments: r.environments, query: r.query, threshold: r.threshold, windowMinutes: r.windowMinutes,
  throttleMinutes: r.throttleMinutes, enabled: r.enabled, actions: r.actions.map((a) => ({ ...a })),
});

function RuleForm({ projectId, rule, onDone }: { projectId: string; rule: Rule | null; onDone: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : emptyRule()));
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setAction = (i: number, patch: Partial<Action>) => set({ actions: draft.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)) });

  async function save(e: Event) {
    e.preventDefault();
    const body: AlertRuleBody = {
      ...draft,
      threshold: WINDOWED.has(draft.trigger) ? draft.threshold : undefined,
      windowMinutes: WINDOWED.has(draft.trigger) ? draft.windowMinutes : undefined,
      actions: draft.actions.map((a) =>
        a.type === 'email' ? { type: a.type, to: a.to ?? [] } : a.type === 'webhook' ? { type: a.type, url: a.url, secret: a.secret } : { type: a.type, url: a.url },
      ),
    };
    try {
      if (rule) await api(`/api/0/alert-rules/${rule.id}/`, { method: 'PUT', body });
      else await api(`/api/0/projects/${encodeURIComponent(projectId)}/alert-rules/`, { method: 'POST', body });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  const number = (value: string) => (value === '' ? null : Number(value));
  return (
    <form class="card" onSubmit={save} data-testid="rule-form">
      <h2>{rule ? `Edit "${rule.name}"` : 'New alert rule'}</h2>
      {error && <div class="error-box">{error}</div>}
      <label class="field">Name<input value={draft.name} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} required /></label>
      <label class="field">
        When
        <select value={draft.trigger} onChange={(e) => set({ trigger: (e.target as HTMLSelectElement).value as Trigger })}>
          {Object.entries(TRIGGERS).map(([value, label]) => <option value={value}>{label}</option>)}
        </select>
      </label>
      {WINDOWED.has(draft.trigger) && (
        <div class="toolbar">
          <label class="field">{draft.trigger === 'spike' ? 'K (times the baseline)' : 'N'}<input type="number" step="any" value={draft.threshold ?? ''} onInput={(e) => set({ threshold: number((e.target as HTMLInputElement).value) })} /></label>
          <label class="field">M (minutes)<input type="number" value={draft.windowMinutes ?? ''} onInput={(e) => set({ windowMinutes: number((e.target as HTMLInputElement).value) })} /></label>
        </div>
      )}
      <label class="field">
        Environments (comma-separated; empty = all)
        <input value={draft.environments.join(', ')} onInput={(e) => set({ environments: (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })} />
      </label>
      <div class="field">
        Only events matching (issue search; empty = all)
        <SearchBar projectId={projectId} value={draft.query} onSearch={(q) => set({ query: q })} onChange={(q) => set({ query: q })} />
      </div>
      <label class="field">Throttle: at most one notification per issue every (minutes)<input type="number" value={draft.throttleMinutes} onInput={(e) => set({ throttleMinutes: Number((e.target as HTMLInputElement).value) })} /></label>
      <label class="check"><input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} /> Enabled</label>
      <h3>Then notify</h3>
      {draft.actions.map((a, i) => (
        <div class="toolbar">
          <select value={a.type} onChange={(e) => setAction(i, { type: (e.target as HTMLSelectElement).value as ActionType })}>
            <option value="slack">Slack</option><option value="discord">Discord</option><option value="teams">Teams</option>
            <option value="webhook">Webhook (signed JSON)</option><option value="email">E-mail</option>
          </select>
          {a.type === 'email' ? (
            <input placeholder="oncall@example.com, cto@example.com" value={(a.to ?? []).join(', ')} onInput={(e) => setAction(i, { to: (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })} />
          ) : (
            <input placeholder="https://hooks.slack.com/services/…" value={a.url ?? ''} onInput={(e) => setAction(i, { url: (e.target as HTMLInputElement).value })} />
          )}
          {a.type === 'webhook' && <input placeholder="secret (16+ characters)" value={a.secret ?? ''} onInput={(e) => setAction(i, { secret: (e.target as HTMLInputElement).value })} />}
          <button type="button" class="link-button" onClick={() => set({ actions: draft.actions.filter((_, j) => j !== i) })}>Remove</button>
        </div>
      ))}
      <button type="button" class="link-button" onClick={() => set({ actions: [...draft.actions, { type: 'slack', url: '' }] })}>+ Add action</button>
      <div class="toolbar">
        <button type="submit">{rule ? 'Save' : 'Create rule'}</button>
        <button type="button" class="link-button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

/** The issue page's card: which rules notified about this issue. */
export function IssueAlertFirings({ issueId }: { issueId: number }) {
  const firings = useAsync(() => api<AlertFiring[]>(`/api/0/issues/${issueId}/alert-firings/`), [issueId]);
  if (!firings.data || firings.data.length === 0) return null;
  return (
    <section class="card" data-testid="alert-firings">
      <h2>Alerts</h2>
      <ul class="small-text">
        {firings.data.map((f) => (
          <li>
            {f.name}: notified {new Date(f.lastFiredAt).toLocaleString()}
            {f.suppressed > 0 && <span class="muted"> ({f.suppressed} held back since)</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
