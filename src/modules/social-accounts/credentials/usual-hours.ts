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
