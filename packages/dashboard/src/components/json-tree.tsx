/** Any JSON value as a collapsible tree; every string is a text node. */
import { asText } from '../format.js';

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="j-null">null</span>;
  if (typeof value === 'string') return <span class="j-str">"{value}"</span>;
  if (typeof value === 'number') return <span class="j-num">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="j-bool">{String(value)}</span>;
  return <span>{asText(value)}</span>;
}

export function JsonTree({ value, depth = 0, label }: { value: unknown; depth?: number; label?: string }) {
  const isObject = value !== null && typeof value === 'object';
  const key = label !== undefined && <span class="j-key">{label}: </span>;
  if (!isObject)
    return (
      <div class="j-row">
        {key}
        <Scalar value={value} />
      </div>
    );
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0)
    return (
      <div class="j-row">
        {key}
        <span class="j-punct">
          {open}
          {close}
        </span>
      </div>
    );
  return (
    <details class="j-node" open={depth < 2}>
      <summary>
        {key}
        <span class="j-punct">{open}</span>
        <span class="j-count muted">
          {' '}
          {entries.length} {Array.isArray(value) ? 'items' : 'keys'}
        </span>
      </summary>
      <div class="j-children">
        {entries.map(([k, v]) => (
          <JsonTree value={v} depth={depth + 1} label={k} />
        ))}
      </div>
      <span class="j-punct">{close}</span>
    </details>
  );
}
