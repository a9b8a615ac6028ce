/**
 * One exception with its frames, most recent call first (payloads list them oldest first). In-app
 * frames stand out and the first one opens with its context lines; runs of library frames fold
 * into one row that expands on click.
 */
import { createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { asText, list } from '../format.js';
import { sourceLink, type Repository } from '../repo-links.js';
import type { ExceptionValue, Frame } from '../types.js';
import { JsonTree } from './json-tree.js';

function frameLocation(f: Frame): string {
  const file = asText(f.filename || f.abs_path || f.module || '?');
  return `${file}${f.lineno != null ? `:${f.lineno}` : ''}${f.colno != null ? `:${f.colno}` : ''}`;
}

function hasDetail(f: Frame): boolean {
  return Boolean(f.context_line || list(f.pre_context).length || list(f.post_context).length || (f.vars && typeof f.vars === 'object' && Object.keys(f.vars).length));
}

/** The project's linked repository and the event's release, for links from in-app frames to their source. */
export const SourceContext = createContext<{ repository: Repository | null; release: string | null }>({ repository: null, release: null });

function FrameRow({ frame, initiallyOpen }: { frame: Frame; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const source = useContext(SourceContext);
  const link = frame.in_app ? sourceLink(source.repository, source.release, asText(frame.filename || frame.abs_path || ''), typeof frame.lineno === 'number' ? frame.lineno : null) : null;
  const detail = hasDetail(frame);
  const line = frame.lineno ?? 0;
  const pre = list<unknown>(frame.pre_context);
  const post = list<unknown>(frame.post_context);
  return (
    <li class={`frame ${frame.in_app ? 'in-app' : 'library'}`}>
      <button type="button" class="frame-head" aria-expanded={detail ? open : undefined} disabled={!detail} onClick={() => setOpen(!open)}>
        <span class="frame-fn mono">{asText(frame.function) || '?'}</span>
        <span class="muted"> in </span>
        <span class="frame-file mono">{frameLocation(frame)}</span>
        {frame.in_app && <span class="badge in-app-badge">in app</span>}
      </button>
      {link && (
        <a class="source-link small-text" href={link} target="_blank" rel="noopener noreferrer" data-testid="source-link">
          view source
        </a>
      )}
      {open && detail && (
        <div class="frame-body">
          {(frame.context_line != null || pre.length > 0) && (
            <ol class="context" start={Math.max(1, line - pre.length)}>
              {pre.map((l) => (
                <li>
                  <code>{asText(l)}</code>
                </li>
              ))}
              {frame.context_line != null && (
                <li class="context-line">
                  <code>{asText(frame.context_line)}</code>
                </li>
              )}
              {post.map((l) => (
                <li>
                  <code>{asText(l)}</code>
                </li>
              ))}
            </ol>
          )}
          {frame.vars && typeof frame.vars === 'object' && Object.keys(frame.vars).length > 0 && (
            <div class="frame-vars">
              <div class="muted small-text">Local variables</div>
              <JsonTree value={frame.vars} />
            </div>
          )}
        </div>
      )}
    </li>
  );
}

function LibraryRun({ frames }: { frames: Frame[] }) {
  const [open, setOpen] = useState(false);
  if (open) return <>{frames.map((f) => <FrameRow frame={f} initiallyOpen={false} />)}</>;
  return (
    <li class="frame library-run">
      <button type="button" class="frame-head" onClick={() => setOpen(true)}>
        {frames.length} library frame{frames.length === 1 ? '' : 's'} hidden — show
      </button>
    </li>
  );
}

export function ExceptionView({ exception }: { exception: ExceptionValue }) {
  // Source-mapped frames by default; the frames as sent (minified) one click away.
  const [minified, setMinified] = useState(false);
  const hasRaw = list<Frame>(exception.raw_stacktrace?.frames).length > 0;
  const shown = minified && hasRaw ? exception.raw_stacktrace : exception.stacktrace;
  const frames = list<Frame>(shown?.frames).filter((f) => f && typeof f === 'object').reverse();
  const anyInApp = frames.some((f) => f.in_app);
  const firstInApp = frames.findIndex((f) => f.in_app);
  // Group consecutive library frames; when nothing is in-app, show everything.
  const parts: (Frame | Frame[])[] = [];
  for (const f of frames) {
    if (anyInApp && !f.in_app) {
      const last = parts[parts.length - 1];
      if (Array.isArray(last)) last.push(f);
      else parts.push([f]);
    } else parts.push(f);
  }
  const mechanism = exception.mechanism;
  return (
    <div class="exception">
      <h3 class="exc-title">
        <span class="exc-type">{asText(exception.type) || 'Error'}</span>
        {exception.value ? <span class="exc-value">: {asText(exception.value)}</span> : null}
      </h3>
      {hasRaw && (
        <div class="seg small-text" role="group" aria-label="Stack trace view">
          <button type="button" class={minified ? '' : 'active'} aria-pressed={!minified} onClick={() => setMinified(false)}>
            Original (source maps)
          </button>
          <button type="button" class={minified ? 'active' : ''} aria-pressed={minified} onClick={() => setMinified(true)}>
            Minified
          </button>
        </div>
      )}
      {mechanism && (
        <p class="muted small-text">
          mechanism: {asText(mechanism.type) || '?'}
          {mechanism.handled === false && <span class="badge unhandled">unhandled</span>}
        </p>
      )}
      {frames.length === 0 ? (
        <p class="muted">No stack trace.</p>
      ) : (
        <ol class="frames">
          {parts.map((p) => (Array.isArray(p) ? <LibraryRun frames={p} /> : <FrameRow frame={p} initiallyOpen={frames.indexOf(p) === (firstInApp >= 0 ? firstInApp : 0)} />))}
        </ol>
      )}
    </div>
  );
}
