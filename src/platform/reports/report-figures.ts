/*
 * Small arithmetic every report shares, so that a rate means the same thing in every module: a zero
 * denominator is `null` (never NaN or Infinity), and rounding happens once, at the answer.
 */

/** `numerator / denominator` rounded to `digits` decimals, or null when the denominator is 0. */
export function rate(numerator: number, denominator: number, digits = 4): number | null {
  if (denominator === 0) return null;
  const factor = 10 ** digits;
  return Math.round((numerator / denominator) * factor) / factor;
}

/**
 * The q-quantile of numbers by the nearest-rank method (the smallest value with at least q of the
 * values at or below it), null for no values. Nearest rank answers a value that occurred, which is
 * what "p90 first response" should mean to a supervisor; it matches `percentile_disc` in SQL.
 */
export function nearestRank(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
