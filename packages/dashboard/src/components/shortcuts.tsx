/** "?" opens the list of keyboard shortcuts; Escape or "?" closes it. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useKeys } from '../hooks.js';

const SHORTCUTS: [string, [string, string][]][] = [
  ['Everywhere', [['?', 'this help'], ['/', 'focus the search']]],
  ['Issue list', [['j / k', 'next / previous issue'], ['x', 'select it'], ['o or Enter', 'open it'], ['r / i', 'resolve / ignore the selection']]],
  ['Issue', [['r / i', 'resolve / ignore (again to undo)'], ['p / n', 'older / newer event'], ['l', 'latest event'], ['u', 'back to the list']]],
  ['Search', [['↑ ↓', 'pick a suggestion'], ['Enter or Tab', 'take it'], ['Enter', 'search'], ['Escape', 'close the list, again to leave the field']]],
];

export function Shortcuts() {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const toggle = () => setOpen((o) => !o);
  useKeys(open ? { '?': toggle, Escape: () => setOpen(false) } : { '?': toggle });
  useEffect(() => {
    if (open) dialog.current?.focus();
  }, [open]);
  if (!open) return null;
  return (
    <div class="overlay" onClick={() => setOpen(false)}>
      <div class="card shortcuts" role="dialog" aria-label="Keyboard shortcuts" tabIndex={-1} ref={dialog} onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        {SHORTCUTS.map(([where, keys]) => (
          <section>
            <h3>{where}</h3>
            <dl class="facts">
              {keys.map(([k, what]) => (
                <>
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </div>
  );
}
