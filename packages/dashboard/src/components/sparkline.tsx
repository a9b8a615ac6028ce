/** A tiny bar sparkline as SVG; no chart library needed for 24 numbers. */
export function Sparkline({ values, width = 96, height = 24 }: { values: number[] | undefined; width?: number; height?: number }) {
  if (!values || values.length === 0) return <span class="spark-empty" aria-hidden="true" />;
  const max = Math.max(1, ...values);
  const w = width / values.length;
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${total} events in the period`}>
      {values.map((v, i) => {
        const h = v === 0 ? 1 : Math.max(2, (v / max) * height);
        return <rect x={i * w + 0.5} y={height - h} width={Math.max(1, w - 1)} height={h} class={v === 0 ? 'zero' : ''} />;
      })}
    </svg>
  );
}
