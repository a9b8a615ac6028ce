/**
 * A history-API router in a few lines: the URL is the state (path + query), pages read it with
 * useLocation() and change it with navigate(). Links are plain <a href> so middle-click, copy link
 * and open-in-new-tab work.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

addEventListener('popstate', () => listeners.forEach((l) => l()));

export interface Loc {
  path: string;
  params: URLSearchParams;
  /** path + search, a key that changes whenever the view should reload. */
  href: string;
}

function current(): Loc {
  return { path: location.pathname, params: new URLSearchParams(location.search), href: location.pathname + location.search };
}

export function useLocation(): Loc {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const listener = () => setLoc(current());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return loc;
}

/** Matches "/issues/:id/" style patterns; returns the named parts or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) out[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return out;
}

type LinkProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

export function Link({ href, onClick, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (onClick) (onClick as (e: MouseEvent) => void)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}
