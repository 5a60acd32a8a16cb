/** A daily window of whole hours in China time, `[start, end)`; it wraps past midnight when start > end. */
export interface UsualHours {
  start: number;
  end: number;
}

/** China Standard Time is UTC+8 all year (no daylight saving), so a fixed offset is exact. */
const CHINA_OFFSET_MS = 8 * 60 * 60_000;

/** Parses `CREDENTIAL_REVEAL_USUAL_HOURS` ("09-21"; "22-06" spans midnight; "00-24" is all day). */
export function parseUsualHours(value: string): UsualHours {
  const match = /^(\d{2})-(\d{2})$/.exec(value);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > 23 || end > 24 || start === end) {
    throw new Error(`"${value}" is not a window of usual hours such as "09-21"`);
  }
  return { start, end };
}

/** The wall-clock time in China, as UTC fields of the returned date (read it with getUTC*). */
export const chinaWallClock = (at: Date): Date => new Date(at.getTime() + CHINA_OFFSET_MS);

/** "2030-03-04 23:15" in China time, for messages people read. */
export const formatChinaTime = (at: Date): string =>
  chinaWallClock(at).toISOString().slice(0, 16).replace('T', ' ');

export function isWithinUsualHours(at: Date, hours: UsualHours): boolean {
  const hour = chinaWallClock(at).getUTCHours();
  return hours.start < hours.end
    ? hour >= hours.start && hour < hours.end
    : hour >= hours.start || hour < hours.end;
}

/** How many of an organization's actions fell in each hour of the day (China time), 0–23. */
export type HourHistogram = ReadonlyMap<number, number>;

/** An hour counts as usual when at least this share of the organization's actions fell in it. */
const USUAL_SHARE = 0.02;

/**
 * The hours an organization actually works, from its recorded actions: the hours holding at least 2 %
 * of them. Null while it has fewer than `minActions` (too little history to tell; use the configured
 * window), so a night-shift agency is not flagged every night, and a day-shift one is at 3 a.m.
 */
export function learnUsualHours(histogram: HourHistogram, minActions: number): Set<number> | null {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  if (total < minActions) return null;
  const threshold = Math.max(1, Math.ceil(total * USUAL_SHARE));
  return new Set([...histogram].filter(([, n]) => n >= threshold).map(([hour]) => hour));
}

/** "01-03, 09-18": the learned hours as `[start, end)` ranges, for messages and records. */
export function describeHours(hours: ReadonlySet<number>): string {
  const sorted = [...hours].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    ranges.push(`${String(sorted[i]).padStart(2, '0')}-${String(sorted[j] + 1).padStart(2, '0')}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

export const chinaHourOf = (at: Date): number => chinaWallClock(at).getUTCHours();
