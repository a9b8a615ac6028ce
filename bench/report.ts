/** Output: the machine line, section tables with figure, target and PASS/FAIL, and statistics. */
import { cpus, totalmem, loadavg } from 'node:os';

export interface Row {
  name: string;
  value: number | null;
  unit: string;
  /** `>=` or `<=` against target; no target means a reference line. */
  target?: { op: '>=' | '<='; value: number };
  note?: string;
}

export function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown cpu';
  return [
    `machine: ${cores.length} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, node ${process.version}, ${process.platform}/${process.arch}`,
    `load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine makes figures noisy)`,
  ].join('\n');
}

const format = (value: number | null, unit: string) => {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`.trim();
};

export function verdict(row: Row): string {
  if (!row.target) return '';
  if (row.value === null || !Number.isFinite(row.value)) return 'FAIL';
  const ok = row.target.op === '>=' ? row.value >= row.target.value : row.value <= row.target.value;
  return ok ? 'PASS' : 'FAIL';
}

export function table(title: string, rows: Row[]): string {
  const cells = rows.map((r) => [
    r.name,
    format(r.value, r.unit),
    r.target ? `${r.target.op} ${format(r.target.value, r.unit)}` : '(reference)',
    verdict(r),
    r.note ?? '',
  ]);
  const header = ['figure', 'measured', 'target', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 1 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const load = `load average now: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`;
  return [`\n== ${title} ==`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), load].join('\n');
}

/** Percentile by nearest rank on a sorted copy. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
