/**
 * A key such as `browser.version` or `flag_new_checkout_v2` that may wrap after its separators
 * (`.`, `_`, `-`, `:`, `/`) rather than mid-word: a line-break opportunity (<wbr>) follows each.
 * Text stays text (no HTML is built from it).
 */
export function BreakableKey({ text }: { text: string }) {
  const parts = text.split(/(?<=[._\-:/])/);
  return (
    <span class="key-text">
      {parts.map((part, i) => (
        <>
          {part}
          {i < parts.length - 1 && <wbr />}
        </>
      ))}
    </span>
  );
}
