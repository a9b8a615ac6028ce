import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { useAsync } from '../hooks.js';
import type { Project } from '../types.js';

function snippets(dsn: string): { id: string; label: string; install: string; code: string }[] {
  return [
    {
      id: 'node',
      label: 'Node.js',
      install: 'npm install ./packages/sdk    # from a checkout of the Proliferate repository',
      code: `import * as Proliferate from '@proliferate/sdk/node';

Proliferate.init({
  dsn: '${dsn}',
  environment: process.env.NODE_ENV,
  release: process.env.APP_VERSION,
});

// Set once at start-up: on every error from this process.
Proliferate.setTag('service', 'payment-api');

try {
  checkout(cart);
} catch (error) {
  Proliferate.captureException(error);
}`,
    },
    {
      id: 'browser',
      label: 'Browser',
      install: 'npm install ./packages/sdk    # from a checkout of the Proliferate repository',
      code: `import * as Proliferate from '@proliferate/sdk/browser';

Proliferate.init({ dsn: '${dsn}', release: '1.2.0' });

// Who is affected: counted as users and accounts on each issue.
Proliferate.setUser({ id: user.id, email: user.email });
Proliferate.setAccount({ id: account.id, name: account.name });
Proliferate.setTag('tier', account.tier);`,
    },
    {
      id: 'python',
      label: 'Python',
      install: 'pip install ./sdks/python    # from a checkout of the Proliferate repository',
      code: `import proliferate

proliferate.init(dsn="${dsn}", environment="production")
proliferate.set_tag("subscription_tier", "premium")

try:
    checkout(cart)
except Exception as error:
    proliferate.capture_exception(error)`,
    },
    {
      id: 'sentry',
      label: 'Existing Sentry SDK',
      install: '# No code change: point the DSN your Sentry SDK already uses at Proliferate',
      code: `// JavaScript (@sentry/node, @sentry/browser, @sentry/react, ...)
Sentry.init({ dsn: '${dsn}' });

# Python (sentry-sdk)
sentry_sdk.init(dsn="${dsn}")

# Any other official Sentry SDK: set SENTRY_DSN
SENTRY_DSN=${dsn}`,
    },
  ];
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      class="small"
      type="button"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
    </button>
  );
}

export function SetupPage({ projectId }: { projectId: string }) {
  const project = useAsync(() => api<Project>(`/api/0/projects/${encodeURIComponent(projectId)}/`), [projectId]);
  const [tab, setTab] = useState('node');
  if (project.error) return <ErrorBox error={project.error} />;
  if (!project.data) return <Loading />;
  const p = project.data;
  const all = snippets(p.dsn);
  const chosen = all.find((s) => s.id === tab) ?? all[0]!;
  return (
    <div class="page setup">
      <h1>Set up {p.name}</h1>
      <section class="card">
        <h2>DSN</h2>
        <p class="muted">SDKs send events to this address. It holds the project's public key, which only allows sending events.</p>
        <div class="dsn-row">
          <code class="dsn" data-testid="dsn">
            {p.dsn}
          </code>
          <CopyButton text={p.dsn} />
        </div>
        <dl class="facts">
          <dt>Project id</dt>
          <dd>{p.id}</dd>
          <dt>Slug</dt>
          <dd>{p.slug}</dd>
          <dt>Public key</dt>
          <dd>
            <code>{p.publicKey}</code>
          </dd>
        </dl>
      </section>
      <section class="card">
        <h2>Send your first error</h2>
        <div class="tabs" role="tablist">
          {all.map((s) => (
            <button role="tab" aria-selected={s.id === chosen.id} class={s.id === chosen.id ? 'tab active' : 'tab'} onClick={() => setTab(s.id)}>
              {s.label}
            </button>
          ))}
        </div>
        <pre class="code">{chosen.install}</pre>
        <div class="snippet">
          <pre class="code">{chosen.code}</pre>
          <CopyButton text={chosen.code} />
        </div>
      </section>
    </div>
  );
}
