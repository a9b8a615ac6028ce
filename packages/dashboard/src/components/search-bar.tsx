/**
 * The search field with autocomplete: before a colon it suggests keys (search keys and the
 * project's tag keys), after one it suggests that key's values. Arrow keys move, Enter or Tab
 * takes a suggestion, Escape closes the list, Enter with no suggestion open runs the search.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { filterToken, replaceToken, tokenAt, type CaretToken } from '../query.js';
import { projectTagKeys, projectTagValues, SEARCH_KEYS } from '../tags.js';

interface Suggestion {
  label: string;
  detail: string;
  insert: string;
}

async function suggest(projectId: string, at: CaretToken): Promise<Suggestion[]> {
  const neg = at.negate ? '!' : '';
  if (at.key === null) {
    const prefix = at.prefix.toLowerCase();
    const keys = await projectTagKeys(projectId).catch(() => []);
    const builtIn = SEARCH_KEYS.map((k) => ({ label: `${k.key}:`, detail: k.hint, insert: `${neg}${k.key}:` }));
    const tagged = keys
      .filter((k) => !SEARCH_KEYS.some((b) => b.key === k.key))
      .map((k) => ({ label: `${k.key}:`, detail: `${k.uniqueValues} value${k.uniqueValues === 1 ? '' : 's'}`, insert: `${neg}${k.key}:` }));
    return [...builtIn, ...tagged].filter((s) => s.label.toLowerCase().startsWith(prefix)).slice(0, 12);
  }
  const key = at.key;
  if (key === 'has') {
    const keys = await projectTagKeys(projectId).catch(() => []);
    return keys.filter((k) => k.key.startsWith(at.prefix)).slice(0, 12).map((k) => ({ label: k.key, detail: '', insert: `${neg}has:${k.key}` }));
  }
  const builtIn = SEARCH_KEYS.find((k) => k.key === key);
  if (builtIn && builtIn.values.length) {
    return builtIn.values.filter((v) => v.startsWith(at.prefix)).map((v) => ({ label: v, detail: '', insert: `${neg}${key}:${v}` }));
  }
  const values = (await projectTagValues(projectId, key, at.prefix, 12).catch(() => null)) ?? [];
  return values.map((v) => ({ label: v.value, detail: `${v.count}`, insert: filterToken(key, v.value, at.negate) }));
}

export function SearchBar({
  projectId,
  value,
  onSearch,
  onChange,
}: {
  projectId: string;
  value: string;
  onSearch: (q: string) => void;
  /** Every edit, for forms that read the query without a search (the alert rule form). */
  onChange?: (q: string) => void;
}) {
  const [text, setText] = useState(value);
  const [caret, setCaret] = useState(value.length);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setText(value), [value]);

  useEffect(() => {
    if (!open) return;
    let stale = false;
    const at = tokenAt(text, caret);
    const timer = setTimeout(() => {
      suggest(projectId, at).then((list) => {
        if (stale) return;
        setItems(list);
        setActive(-1);
      });
    }, 80);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, caret, open, projectId]);

  useEffect(() => {
    const onSlash = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.key === '/' && !/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener('keydown', onSlash);
    return () => removeEventListener('keydown', onSlash);
  }, []);

  function take(s: Suggestion) {
    const at = tokenAt(text, caret);
    const next = replaceToken(text, at, s.insert);
    setText(next.query);
    onChange?.(next.query);
    setCaret(next.caret);
    // The old list no longer applies; Enter now runs the search until new suggestions arrive.
    setItems([]);
    setActive(-1);
    // Update the field now, not after the next render: a fast typist's next key must land after
    // the inserted text (Preact leaves a DOM value that already matches alone, caret included).
    const el = input.current;
    if (el) {
      el.value = next.query;
      el.setSelectionRange(next.caret, next.caret);
      el.focus();
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    const showing = open && items.length > 0;
    if (e.key === 'ArrowDown' && showing) {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === 'ArrowUp' && showing) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
    } else if ((e.key === 'Enter' || e.key === 'Tab') && showing && active >= 0) {
      e.preventDefault();
      take(items[active]!);
    } else if (e.key === 'Escape') {
      // Not Chromium's type="search" default (clearing the query): first close the list, then leave.
      e.preventDefault();
      if (showing) setOpen(false);
      else input.current?.blur();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      setOpen(false);
      onSearch(text.trim());
    }
  }

  const syncCaret = (e: Event) => setCaret((e.target as HTMLInputElement).selectionStart ?? text.length);

  return (
    <div class="search">
      <input
        ref={input}
        type="search"
        class="search-input"
        aria-label="Search issues"
        placeholder="Search: tier:enterprise !environment:staging release:1.2.* or free text   ( / )"
        role="combobox"
        aria-expanded={open && items.length > 0}
        aria-controls="search-suggestions"
        aria-autocomplete="list"
        spellcheck={false}
        value={text}
        onInput={(e) => {
          setText((e.target as HTMLInputElement).value);
          onChange?.((e.target as HTMLInputElement).value);
          syncCaret(e);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onKeyUp={syncCaret}
        onClick={(e) => {
          syncCaret(e);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {open && items.length > 0 && (
        <ul class="suggestions" id="search-suggestions" role="listbox">
          {items.map((s, i) => (
            <li
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                take(s);
              }}
            >
              <span class="mono">{s.label}</span>
              <span class="muted">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
