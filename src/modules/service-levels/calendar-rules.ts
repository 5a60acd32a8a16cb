import { DateTime, IANAZone } from 'luxon';
import { FieldError } from '../../platform/errors/domain.error';
import { DateOverride, Period, WEEKDAYS, WeeklyHours } from './calendar.types';

/** Minutes since local midnight of `HH:MM` (`24:00` is 1440). */
export const minuteOfDay = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** A real calendar date written `YYYY-MM-DD` (2026-02-30 is not one). */
export const isValidDate = (date: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) && DateTime.fromISO(date, { zone: 'UTC' }).isValid;

/**
 * The hours of a make-up working day whose periods are not given: a 调休 Saturday stands in for a
 * weekday, so it keeps the calendar's regular weekday hours: those of the first of Monday to Friday
 * that has any.
 */
export function regularWeekdayHours(weekly: WeeklyHours): Period[] {
  for (const day of WEEKDAYS.slice(0, 5)) if (weekly[day].length > 0) return weekly[day];
  return [];
}

/**
 * One working day, in minutes: the open minutes of the calendar's regular weekday (see
 * `regularWeekdayHours`). A target of "2 working days" is stored as twice this many working minutes.
 */
export const workingDayMinutes = (weekly: WeeklyHours): number =>
  regularWeekdayHours(weekly).reduce((sum, p) => sum + minuteOfDay(p.end) - minuteOfDay(p.start), 0);

/** Periods of one day: each ends after it starts, and none overlaps another (touching is fine). */
export function periodProblems(periods: readonly Period[], field: string): FieldError[] {
  const problems: FieldError[] = [];
  periods.forEach((p, i) => {
    if (minuteOfDay(p.end) <= minuteOfDay(p.start)) {
      problems.push({ field: `${field}.${i}.end`, message: `must be after start (${p.start})` });
    }
  });
  if (problems.length > 0) return problems;
  const order = periods
    .map((p, i) => ({ p, i }))
    .sort((a, b) => minuteOfDay(a.p.start) - minuteOfDay(b.p.start));
  for (let k = 1; k < order.length; k++) {
    const before = order[k - 1];
    const after = order[k];
    if (minuteOfDay(after.p.start) < minuteOfDay(before.p.end)) {
      problems.push({
        field: `${field}.${after.i}`,
        message: `overlaps ${before.p.start}–${before.p.end} (${field}.${before.i})`,
      });
    }
  }
  return problems;
}

/** Every rule of a calendar's hours and overrides the DTO's shape checks cannot express. */
export function calendarProblems(input: {
  timeZone?: string;
  weeklyHours?: WeeklyHours;
  overrides?: readonly DateOverride[];
}): FieldError[] {
  const problems: FieldError[] = [];
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    problems.push({ field: 'timeZone', message: 'must be an IANA time zone such as Asia/Shanghai' });
  }
  if (input.weeklyHours) {
    for (const day of WEEKDAYS) {
      problems.push(...periodProblems(input.weeklyHours[day], `weeklyHours.${day}`));
    }
    // At least one open period a week, so that adding working time always ends somewhere.
    if (WEEKDAYS.every((day) => input.weeklyHours![day].length === 0)) {
      problems.push({ field: 'weeklyHours', message: 'needs at least one open period in the week' });
    }
  }
  const seen = new Map<string, number>();
  (input.overrides ?? []).forEach((o, i) => {
    if (!isValidDate(o.date)) {
      problems.push({ field: `overrides.${i}.date`, message: 'must be a real date YYYY-MM-DD' });
    } else if (seen.has(o.date)) {
      problems.push({ field: `overrides.${i}.date`, message: `repeats overrides.${seen.get(o.date)}` });
    } else {
      seen.set(o.date, i);
    }
    if (o.kind === 'holiday' && o.periods !== null && o.periods.length > 0) {
      problems.push({
        field: `overrides.${i}.periods`,
        message: 'a holiday is closed all day; leave periods out',
      });
    }
    if (o.kind === 'workday' && o.periods) {
      problems.push(...periodProblems(o.periods, `overrides.${i}.periods`));
    }
  });
  return problems;
}
