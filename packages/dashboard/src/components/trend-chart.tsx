/**
 * Events per interval as bars, drawn by uPlot (about 20 KB gzipped, canvas, no dependencies).
 * It is imported on demand so the issue list does not load it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { IssueStats } from '../types.js';

const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 1e5, 1e6];

/**
 * Mounts a uPlot chart in the returned box, sized to it and resized with the window, and destroys
 * it when the inputs change or the component goes away.
 */
function usePlot(height: number, deps: unknown[], make: (el: HTMLDivElement, width: number) => uPlot | null) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = make(el, el.clientWidth || 600);
    if (!plot) return;
    const resize = () => plot.setSize({ width: el.clientWidth, height });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [height, ...deps]);
  return box;
}

export default function TrendChart({ stats, height = 160 }: { stats: IssueStats; height?: number }) {
  const box = usePlot(height, [stats], (el, width) => {
    const xs = stats.buckets.map((b) => Date.parse(b.start) / 1000);
    const ys = stats.buckets.map((b) => b.count);
    // The server names intervals "minute" | "hour" | "day"; accept "1h" / "1d" too.
    const daily = stats.interval === 'day' || stats.interval.endsWith('d');
    const step = xs.length > 1 ? xs[1]! - xs[0]! : daily ? 86_400 : 3_600;
    return new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { y: false, points: { show: false } },
        // Half a bucket of room on each side so the first and last bars are not clipped.
        scales: {
          x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          { stroke: '#6b7280', grid: { show: false }, ticks: { show: false }, values: daily ? '{MMM} {D}' : '{HH}:{mm}' },
          { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { show: false }, size: 40, incrs: COUNT_STEPS },
        ],
        series: [
          {},
          {
            label: 'events',
            fill: '#7c5cff',
            stroke: '#7c5cff',
            paths: uPlot.paths.bars!({ size: [0.7, 40] }),
            points: { show: false },
          },
        ],
      },
      [xs, ys],
      el,
    );
  });
  const total = stats.buckets.reduce((sum, b) => sum + b.count, 0);
  return <div ref={box} class="trend" data-total={total} role="img" aria-label={`${total} events, per ${stats.interval}`} />;
}

export interface Series {
  label: string;
  color: string;
  counts: number[];
}

/** Several series over the same buckets as lines (one per tag value), with a legend. */
export function SeriesChart({ starts, series, height = 200 }: { starts: string[]; series: Series[]; height?: number }) {
  const box = usePlot(height, [starts, series], (el, width) => {
    if (starts.length === 0) return null;
    const xs = starts.map((s) => Date.parse(s) / 1000);
    return new uPlot(
      {
        width,
        height,
        cursor: { y: false },
        legend: { live: true },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: '#6b7280', grid: { show: false } },
          { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, size: 40, incrs: COUNT_STEPS },
        ],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } }))],
      },
      [xs, ...series.map((s) => s.counts)],
      el,
    );
  });
  return <div ref={box} class="trend series" role="img" aria-label={`Events per value: ${series.map((s) => s.label).join(', ')}`} />;
}
