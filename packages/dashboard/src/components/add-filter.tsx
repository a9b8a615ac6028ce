/**
 * Seed 000's flow: Add Filter → pick a tag key → pick a value; the result is one `key:value`
 * token appended to the query. Values come from the project's tag values; a value can also be typed
 * (and is the only way when the server does not list values).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAsync } from '../hooks.js';
import { filterToken } from '../query.js';
import { projectTagKeys, projectTagValues } from '../tags.js';

export function AddFilter({ projectId, onAdd }: { projectId: string; onAdd: (token: string) => void }) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    addEventListener('mousedown', close);
    return () => removeEventListener('mousedown', close);
  }, [open]);

  function done(token: string) {
    setOpen(false);
    setKey(null);
    onAdd(token);
  }

  return (
    <div
      class="add-filter"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => {
          setOpen(!open);
          setKey(null);
        }}
      >
        + Add Filter
      </button>
      {open && (
        <div class="popover" role="dialog" aria-label="Add a filter">
          {key === null ? <KeyStep projectId={projectId} onPick={setKey} /> : <ValueStep projectId={projectId} tagKey={key} onBack={() => setKey(null)} onPick={done} />}
        </div>
      )}
    </div>
  );
}

function KeyStep({ projectId, onPick }: { projectId: string; onPick: (key: string) => void }) {
  const keys = useAsync(() => projectTagKeys(projectId), [projectId]);
  const [filter, setFilter] = useState('');
  const shown = (keys.data ?? []).filter((k) => k.key.toLowerCase().includes(filter.toLowerCase()));
  return (
    <div>
      <div class="popover-title">Pick a tag key</div>
      <input
        class="popover-input"
        autoFocus
        placeholder="Filter keys"
        aria-label="Filter tag keys"
        value={filter}
        onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) onPick(shown[0].key);
        }}
      />
      {keys.error && <p class="muted">Could not load tag keys: {keys.error.message}</p>}
      <ul class="pick-list" data-testid="filter-keys">
        {shown.map((k) => (
          <li>
            <button type="button" class="pick" data-key={k.key} onClick={() => onPick(k.key)}>
              <span class="mono">{k.key}</span>
              <span class="muted">{k.uniqueValues}</span>
            </button>
          </li>
        ))}
        {keys.data && shown.length === 0 && <li class="muted pad">No tag keys yet</li>}
      </ul>
    </div>
  );
}

function ValueStep({ projectId, tagKey, onBack, onPick }: { projectId: string; tagKey: string; onBack: () => void; onPick: (token: string) => void }) {
  const [typed, setTyped] = useState('');
  const [negate, setNegate] = useState(false);
  const values = useAsync(() => projectTagValues(projectId, tagKey, typed, 20), [projectId, tagKey, typed]);
  return (
    <div>
      <div class="popover-title">
        <button type="button" class="link-button" onClick={onBack} aria-label="Back to tag keys">
          ←
        </button>{' '}
        Value of <span class="mono">{tagKey}</span>
      </div>
      <input
        class="popover-input"
        autoFocus
        placeholder="Type a value, or pick one"
        aria-label={`Value of ${tagKey}`}
        value={typed}
        onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && typed) onPick(filterToken(tagKey, typed, negate));
        }}
      />
      <label class="check small-text">
        <input type="checkbox" checked={negate} onChange={(e) => setNegate((e.target as HTMLInputElement).checked)} /> exclude (is not)
      </label>
      <ul class="pick-list" data-testid="filter-values">
        {values.data === null && <li class="muted pad">This server does not list values yet; type one and press Enter.</li>}
        {(values.data ?? []).map((v) => (
          <li>
            <button type="button" class="pick" data-value={v.value} onClick={() => onPick(filterToken(tagKey, v.value, negate))}>
              <span class="mono">{v.value}</span>
              <span class="muted">{v.count}</span>
            </button>
          </li>
        ))}
        {values.data && values.data.length === 0 && <li class="muted pad">No values match</li>}
      </ul>
    </div>
  );
}
