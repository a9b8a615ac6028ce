/** One event: exception and frames, tags, user and account, breadcrumbs, contexts, extra. */
import { BreakableKey } from '../components/breakable-key.js';
import type { ComponentChildren } from 'preact';
import { Breadcrumbs } from '../components/breadcrumbs.js';
import { EventLogs } from '../components/event-logs.js';
import { ReplaySection } from '../components/replay-section.js';
import { replayIdOf } from '../replay-types.js';
import { JsonTree } from '../components/json-tree.js';
import { ExceptionView, SourceContext } from '../components/stacktrace.js';
import { api } from '../api.js';
import { useAsync } from '../hooks.js';
import type { Project } from '../types.js';
import { filterHref } from '../components/tag-panel.js';
import { asText, dateTime, list } from '../format.js';
import { Link } from '../router.js';
import { PersonLink, SessionLinks } from '../components/related-links.js';
import type { Breadcrumb, ExceptionValue, FullEvent, ProcessingError } from '../types.js';

function Section({ title, children, id }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="event-section" id={id} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

function KeyValues({ data }: { data: Record<string, unknown> }) {
  return (
    <table class="kv-table">
      <tbody>
        {Object.entries(data).map(([k, v]) => (
          <tr>
            <th class="mono">
              <BreakableKey text={k} />
            </th>
            <td>{v !== null && typeof v === 'object' ? <JsonTree value={v} /> : <span class="mono">{asText(v)}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "User: alice@acme.com" as in seed 000's error detail view, with the rest of the fields below. */
function Person({ label, value, main }: { label: string; value: Record<string, unknown> | null | undefined; main: string[] }) {
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) return null;
  const headline = main.map((k) => value[k]).find((v) => v !== undefined && v !== null && v !== '');
  const rest = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
  return (
    <div class="person" data-testid={label.toLowerCase()}>
      <div class="person-head">
        <span class="person-label">{label}:</span> <strong>{asText(headline ?? '(no name)')}</strong>
      </div>
      <KeyValues data={rest} />
    </div>
  );
}

function messageText(event: FullEvent): string | null {
  if (typeof event.message === 'string') return event.message;
  if (event.message && typeof event.message === 'object') {
    const m = event.message as { formatted?: unknown; message?: unknown };
    return asText(m.formatted ?? m.message) || null;
  }
  return asText(event.logentry?.formatted ?? event.logentry?.message) || null;
}

export function EventView({ event, projectId }: { event: FullEvent; projectId: number }) {
  const exceptions = list<ExceptionValue>(event.exception?.values).filter((x) => x && typeof x === 'object').reverse();
  const crumbs = Array.isArray(event.breadcrumbs) ? event.breadcrumbs : list<Breadcrumb>(event.breadcrumbs?.values);
  const tags = event.tags && typeof event.tags === 'object' ? Object.entries(event.tags) : [];
  const message = messageText(event);
  const errors = list<ProcessingError>(event.processingErrors);
  const ids = { traceId: event.traceId, sessionId: event.sessionId, windowId: event.windowId };
  const project = useAsync(() => api<Project>(`/api/0/projects/${projectId}/`), [projectId]);
  const source = { repository: project.data?.repository ?? null, release: typeof event.release === 'string' ? event.release : null };
  const replayId = replayIdOf(event);
  return (
    <div class="event">
      <dl class="facts event-facts">
        <dt>Event</dt>
        <dd class="mono">{event.eventId}</dd>
        <dt>Occurred</dt>
        <dd>{dateTime(event.timestamp)}</dd>
        <dt>Received</dt>
        <dd>{dateTime(event.received)}</dd>
        {event.environment && (
          <>
            <dt>Environment</dt>
            <dd>{asText(event.environment)}</dd>
          </>
        )}
        {event.release && (
          <>
            <dt>Release</dt>
            <dd class="mono">{asText(event.release)}</dd>
          </>
        )}
        {event.platform && (
          <>
            <dt>Platform</dt>
            <dd>{asText(event.platform)}</dd>
          </>
        )}
        {event.sdk?.name && (
          <>
            <dt>SDK</dt>
            <dd>
              {asText(event.sdk.name)} {asText(event.sdk.version)}
            </dd>
          </>
        )}
      </dl>

      {errors.length > 0 && (
        <div class="warn-box" role="note" data-testid="processing-errors">
          <strong>Processing problems with this event</strong>
          <ul>
            {errors.map((e) => (
              <li>
                <span class="mono">{e.type}</span>
                {e.key ? (
                  <>
                    {' '}
                    on <span class="mono">{e.key}</span>
                  </>
                ) : null}
                {e.reason ? `: ${e.reason}` : ''}
                {e.value !== undefined && e.value !== null ? (
                  <>
                    {' '}
                    (value <span class="mono">{asText(e.value).slice(0, 120)}</span>)
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      )}

      {replayId && <ReplaySection replayId={replayId} eventId={event.eventId} projectId={projectId} />}
      {exceptions.length > 0 ? (
        <Section title="Exception" id="exception">
          {exceptions.length > 1 && <p class="muted small-text">{exceptions.length} chained exceptions, the captured one first.</p>}
          <SourceContext.Provider value={source}>
            {exceptions.map((x) => (
              <ExceptionView exception={x} />
            ))}
          </SourceContext.Provider>
        </Section>
      ) : null}
      {message && (
        <Section title="Message" id="message">
          <pre class="code message">{message}</pre>
        </Section>
      )}

      <Section title="Tags" id="tags">
        {tags.length === 0 ? (
          <p class="muted">No tags.</p>
        ) : (
          <ul class="event-tags">
            {tags.map(([k, v]) => (
              <li>
                <span class="mono tag-k">{k}:</span>{' '}
                <Link class="mono tag-v" href={filterHref(projectId, k, String(v))}>
                  {String(v)}
                </Link>
              </li>
            ))}
          </ul>
        )}
        <div class="people">
          <Person label="User" value={event.user} main={['email', 'username', 'name', 'id', 'ip_address']} />
          <Person label="Account" value={event.account} main={['name', 'id']} />
        </div>
        <p class="related-links">
          <PersonLink projectId={projectId} kind="user" value={event.user} /> <PersonLink projectId={projectId} kind="account" value={event.account} />
        </p>
        <SessionLinks projectId={projectId} sessionId={ids.sessionId} windowId={ids.windowId} />
      </Section>

      {crumbs.length > 0 && (
        <Section title={`Breadcrumbs (${crumbs.length})`} id="breadcrumbs">
          <Breadcrumbs crumbs={crumbs} eventTime={event.timestamp} />
        </Section>
      )}

      {event.request && Object.keys(event.request).length > 0 && (
        <Section title="Request" id="request">
          <KeyValues data={event.request} />
        </Section>
      )}

      {event.contexts && Object.keys(event.contexts).length > 0 && (
        <Section title="Contexts" id="contexts">
          <div class="contexts">
            {Object.entries(event.contexts).map(([name, ctx]) => (
              <div class="context-card">
                <h3 class="mono">{name}</h3>
                {ctx && typeof ctx === 'object' ? <KeyValues data={ctx as Record<string, unknown>} /> : <span class="mono">{asText(ctx)}</span>}
              </div>
            ))}
          </div>
        </Section>
      )}

      {event.extra && Object.keys(event.extra).length > 0 && (
        <Section title="Extra" id="extra">
          <JsonTree value={event.extra} />
        </Section>
      )}

      {ids.traceId && <EventLogs projectId={projectId} eventId={event.eventId} traceId={ids.traceId} />}

      {(ids.traceId || ids.sessionId || ids.windowId || event.grouping) && (
        <Section title="Correlation and grouping" id="ids">
          <dl class="facts">
            {ids.traceId && (
              <>
                <dt>Trace id</dt>
                <dd class="mono">{ids.traceId}</dd>
              </>
            )}
            {ids.sessionId && (
              <>
                <dt>Session id</dt>
                <dd class="mono">{ids.sessionId}</dd>
              </>
            )}
            {ids.windowId && (
              <>
                <dt>Window id</dt>
                <dd class="mono">{ids.windowId}</dd>
              </>
            )}
            {event.grouping?.fingerprint && (
              <>
                <dt>Fingerprint</dt>
                <dd class="mono">
                  {event.grouping.fingerprint} ({event.grouping.version ?? 'v1'})
                </dd>
              </>
            )}
            {event.grouping?.rule && (
              <>
                <dt>Fingerprint rule</dt>
                <dd data-testid="grouping-rule">
                  <Link href={`/projects/${projectId}/settings/`}>line {event.grouping.rule.line}</Link> of the project's rules:{' '}
                  <code class="mono wrap">{event.grouping.rule.text}</code>
                </dd>
              </>
            )}
            {event.grouping?.source && (
              <>
                <dt>Grouped by</dt>
                <dd class="mono wrap">{event.grouping.source}</dd>
              </>
            )}
          </dl>
        </Section>
      )}
    </div>
  );
}
