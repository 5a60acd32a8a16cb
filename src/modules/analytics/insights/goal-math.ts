import { mean, sampleStandardDeviation } from 'simple-statistics';

/**
 * The arithmetic of optimization goals, on plain daily values (pure, tested in goal-math.spec.ts):
 * the baseline's week-to-week noise, and the before/after comparison of an application.
 */

/** Means of the full 7-day blocks of `values`, counted from the first day (a partial last week is left out). */
export function weeklyMeans(values: readonly number[]): number[] {
  const weeks: number[] = [];
  for (let start = 0; start + 7 <= values.length; start += 7)
    weeks.push(mean(values.slice(start, start + 7)));
  return weeks;
}

/** Sample standard deviation of the weekly means; null with fewer than two full weeks. */
export function weeklyNoise(values: readonly number[]): number | null {
  const weeks = weeklyMeans(values);
  return weeks.length >= 2 ? sampleStandardDeviation(weeks) : null;
}

export interface Comparison {
  beforeMean: number;
  afterMean: number;
  change: number;
  /** change / beforeMean, null when beforeMean is 0. */
  changeRate: number | null;
  noiseThreshold: number | null;
  significant: boolean | null;
}

/** The change between two same-length windows, judged against 2 × the baseline's weekly noise. */
export function compareWindows(
  before: readonly number[],
  after: readonly number[],
  noise: number | null,
): Comparison {
  if (before.length === 0 || before.length !== after.length) throw new Error('windows of one length');
  const beforeMean = mean([...before]);
  const afterMean = mean([...after]);
  const change = afterMean - beforeMean;
  const noiseThreshold = noise === null ? null : 2 * noise;
  return {
    beforeMean,
    afterMean,
    change,
    changeRate: beforeMean === 0 ? null : change / beforeMean,
    noiseThreshold,
    significant: noiseThreshold === null ? null : Math.abs(change) > noiseThreshold,
  };
}

/** How far `current` has come from the baseline mean toward the target (1 = reached). */
export function progressFraction(current: number, baselineMean: number, target: number): number | null {
  return target === baselineMean ? null : (current - baselineMean) / (target - baselineMean);
}

export const reached = (current: number, target: number, direction: 'increase' | 'decrease') =>
  direction === 'increase' ? current >= target : current <= target;
