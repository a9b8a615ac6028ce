/**
 * Events per interval as bars, drawn by uPlot (about 20 KB gzipped, canvas, no dependencies).
 * It is imported on demand so the issue list does not load it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { IssueStats } from '../types.js';

export default function TrendChart({ stats, height = 160 }: { stats: IssueStats; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = stats.buckets.map((b) => Date.parse(b.start) / 1000);
    const ys = stats.buckets.map((b) => b.count);
    const daily = stats.interval.endsWith('d');
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: false },
        cursor: { y: false, points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: '#6b7280', grid: { show: false }, ticks: { show: false }, values: daily ? '{MMM} {D}' : '{HH}:{mm}' },
          { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { show: false }, size: 40 },
        ],
        series: [
          {},
          {
            label: 'events',
            fill: '#7c5cff',
            stroke: '#7c5cff',
            paths: uPlot.paths.bars!({ size: [0.7, 40], align: 1 }),
            points: { show: false },
          },
        ],
      },
      [xs, ys],
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth, height });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [stats, height]);
  return <div ref={box} class="trend" role="img" aria-label={`Events per ${stats.interval}`} />;
}
