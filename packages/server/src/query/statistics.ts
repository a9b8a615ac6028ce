/**
 * The two-proportion z-test used by tag correlation: is a tag value's share among an issue's events
 * different from its share among the project's other events in the same window?
 */

/** Standard normal cumulative distribution, via erf (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface ProportionTest {
  /** Share of the value among the events. */
  share: number;
  /** Share among the project's other events in the window. */
  baselineShare: number;
  /** share / baselineShare; null when the baseline share is 0. */
  lift: number | null;
  z: number | null;
  /** Two-sided p-value; null when the test is undefined (no baseline events, or no variance). */
  pValue: number | null;
}

/**
 * @param hits events of the issue with the value;  @param total events of the issue
 * @param baselineHits other events with the value;  @param baselineTotal other events
 */
export function twoProportionTest(hits: number, total: number, baselineHits: number, baselineTotal: number): ProportionTest {
  const share = total > 0 ? hits / total : 0;
  const baselineShare = baselineTotal > 0 ? baselineHits / baselineTotal : 0;
  const lift = baselineShare > 0 ? share / baselineShare : null;
  if (total === 0 || baselineTotal === 0) return { share, baselineShare, lift, z: null, pValue: null };
  const pooled = (hits + baselineHits) / (total + baselineTotal);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / baselineTotal));
  if (se === 0) return { share, baselineShare, lift, z: null, pValue: null };
  const z = (share - baselineShare) / se;
  return { share, baselineShare, lift, z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}
