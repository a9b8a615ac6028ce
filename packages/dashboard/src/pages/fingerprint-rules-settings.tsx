/**
 * Project settings, grouping part (issue 19): the project's fingerprint rules as text, with the
 * syntax at hand, saved over the API; a rule that does not parse is shown inline with its line and
 * column, and the line itself. Admins change them; everyone else reads. Rules apply to new events.
 */
import type { FingerprintRulesAnswer } from '@proliferate/api';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { ErrorBox } from '../components/status.js';
import { useAsync } from '../hooks.js';

const EXAMPLE = `# The database is down, whatever the driver calls it
error.type:ConnectionRefusedError -> database-down title="Database unavailable"
error.type:PoolTimeoutError -> database-down

# One issue per tenant for billing failures
tags.tenant:* module:billing.* -> billing, {{ tags.tenant }}

# Split a noisy error by transaction, keeping the default grouping
error.value:"Request failed with status code *" -> {{ default }}, {{ transaction }}`;

interface ParseError {
  line: number;
  column: number;
  reason: string;
}

export function FingerprintRulesSettings({ projectId, readOnly }: { projectId: number; readOnly: boolean }) {
  const answer = useAsync(() => api<FingerprintRulesAnswer>(`/api/0/projects/${projectId}/fingerprint-rules/`), [projectId]);
  const [text, setText] = useState<string | null>(null);
  const [parseError, setParseError] = useState<ParseError | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (answer.data) setText(answer.data.rules);
  }, [answer.data]);
  if (answer.error) return <ErrorBox error={answer.error} />;
  if (!answer.data || text === null) return null;

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setParseError(null);
    setMessage(null);
    try {
      const saved = await api<FingerprintRulesAnswer>(`/api/0/projects/${projectId}/fingerprint-rules/`, { method: 'PUT', body: { rules: text } });
      const count = saved.parsed.length;
      setMessage(`Saved: ${count} rule${count === 1 ? '' : 's'}. They apply to events received from now on; existing issues keep their events.`);
      answer.reload();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_fingerprint_rules' && typeof err.details.line === 'number') {
        setParseError({ line: err.details.line, column: Number(err.details.column) || 1, reason: String(err.details.reason ?? err.message) });
      } else {
        setError(err as Error);
      }
    }
  };
  const badLine = parseError ? (text.split(/\r?\n/)[parseError.line - 1] ?? '') : '';
  return (
    <section class="card" data-testid="fingerprint-rules">
      <h2>Fingerprint rules</h2>
      <p class="muted small-text">
        Decide how events group into issues without a deploy: the first rule whose matchers all hold gives the event its fingerprint (and, with{' '}
        <code>title="..."</code>, the issue its title). Events no rule matches keep the default grouping. Changes apply to new events only.
      </p>
      <form onSubmit={save}>
        <label class="field">
          <span>Rules, one a line</span>
          <textarea
            name="fingerprintRules"
            class="mono"
            rows={10}
            spellcheck={false}
            disabled={readOnly}
            placeholder={EXAMPLE}
            value={text}
            aria-invalid={parseError ? 'true' : undefined}
            onInput={(e) => {
              setText((e.target as HTMLTextAreaElement).value);
              setParseError(null);
              setMessage(null);
            }}
          />
        </label>
        {parseError && (
          <div class="error-box" role="alert" data-testid="fingerprint-rules-error">
            <strong>
              Line {parseError.line}, column {parseError.column}:
            </strong>{' '}
            {parseError.reason}
            <pre class="mono">
              {badLine}
              {'\n'}
              {' '.repeat(Math.max(0, parseError.column - 1))}^
            </pre>
          </div>
        )}
        {!readOnly && <button type="submit">Save rules</button>}
        {message && <span class="muted"> {message}</span>}
      </form>
      {error && <ErrorBox error={error} />}
      <details>
        <summary>Syntax</summary>
        <p class="small-text">
          <code>matcher:value [matcher:value ...] -&gt; part, part [title="..."]</code>. Values are globs (<code>*</code> anything, <code>?</code> one
          character); quote values with spaces; put <code>!</code> before a matcher to negate it; <code>#</code> starts a comment.
        </p>
        <ul class="small-text">
          <li>
            Event: <code>error.type</code> (<code>type</code>), <code>error.value</code> (<code>value</code>), <code>message</code>, <code>logger</code>,{' '}
            <code>level</code>, <code>release</code>, <code>sdk</code>, <code>family</code> (javascript, python, native, other), <code>tags.KEY</code>
          </li>
          <li>
            Frame (all on one rule must match the same frame): <code>module</code>, <code>function</code>, <code>path</code> (<code>abs_path</code>),{' '}
            <code>package</code>, <code>app</code> (yes / no)
          </li>
          <li>
            Variables in parts and titles: <code>{'{{ default }}'}</code> (the default grouping), <code>{'{{ error.type }}'}</code>,{' '}
            <code>{'{{ error.value }}'}</code>, <code>{'{{ function }}'}</code>, <code>{'{{ module }}'}</code>, <code>{'{{ level }}'}</code>,{' '}
            <code>{'{{ logger }}'}</code>, <code>{'{{ transaction }}'}</code>, <code>{'{{ tags.KEY }}'}</code>
          </li>
        </ul>
        <pre class="mono small-text">{EXAMPLE}</pre>
      </details>
    </section>
  );
}
