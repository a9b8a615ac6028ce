import { HttpError } from '../errors.js';
import { INTERVAL_MS, type StatsInterval, type StatsRange } from '../store/types.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const INTERVAL_NAMES: Record<string, StatsInterval> = {
  '1m': 'minute', minute: 'minute', '1h': 'hour', hour: 'hour', '1d': 'day', day: 'day',
};
const MAX_BUCKETS = 2000;

export function parseDuration(text: string, name: string): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text);
  if (!match) throw new HttpError(400, 'invalid_parameter', `${name} must look like 30m, 24h, 14d or 2w`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** A window ending now, aligned to whole buckets so consecutive calls line up. */
export function statsRange(period: string | undefined, interval: string | undefined, now = Date.now()): StatsRange {
  const periodMs = parseDuration(period ?? '24h', 'period');
  const defaultInterval: StatsInterval = periodMs <= 3 * 3_600_000 ? 'minute' : periodMs <= 7 * 86_400_000 ? 'hour' : 'day';
  const chosen = interval === undefined ? defaultInterval : INTERVAL_NAMES[interval];
  if (!chosen) throw new HttpError(400, 'invalid_parameter', 'interval must be 1m, 1h or 1d');
  const size = INTERVAL_MS[chosen];
  const to = Math.floor(now / size) * size + size;
  const from = to - Math.ceil(periodMs / size) * size;
  if ((to - from) / size > MAX_BUCKETS) {
    throw new HttpError(400, 'invalid_parameter', `period / interval gives more than ${MAX_BUCKETS} buckets`);
  }
  return { from, to, interval: chosen };
}

export function bucketsOf(range: StatsRange, counts: number[]) {
  const size = INTERVAL_MS[range.interval];
  return counts.map((count, i) => ({ start: new Date(range.from + i * size).toISOString(), count }));
}
