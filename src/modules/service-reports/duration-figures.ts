import { nearestRank } from '../../platform/reports';
import type { DurationFiguresDto } from './service-report.dto';

/** One ticket's measured time: on its SLA calendar (null without a calendar) and on the wall clock. */
export interface MeasuredDuration {
  working: number | null;
  wallClock: number;
}

/** Minutes shown with 2 decimals: rounding happens once, after the quantile picked its value. */
const minutes = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 100) / 100;

/** Count, nearest-rank median and p90 of both clocks. */
export function durationFigures(items: readonly MeasuredDuration[]): DurationFiguresDto {
  const working = items.map((i) => i.working).filter((v): v is number => v !== null);
  const wallClock = items.map((i) => i.wallClock);
  return {
    count: items.length,
    workingMinutes: { median: minutes(nearestRank(working, 0.5)), p90: minutes(nearestRank(working, 0.9)) },
    wallClockMinutes: {
      median: minutes(nearestRank(wallClock, 0.5)),
      p90: minutes(nearestRank(wallClock, 0.9)),
    },
  };
}

/** The index of the bucket holding `at` among buckets sorted by start (-1 when before the first). */
export function bucketIndex(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
