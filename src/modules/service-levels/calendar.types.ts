/** The shapes of a service calendar, shared by the API, the data file and the arithmetic. */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock times `HH:MM`; `end` may be `24:00` (midnight at the end of the day). */
export interface Period {
  start: string;
  end: string;
}

export type WeeklyHours = Record<Weekday, Period[]>;

export const OVERRIDE_KINDS = ['holiday', 'workday'] as const;
/** `holiday`: closed all day. `workday`: a make-up working day (调休), open with its periods. */
export type OverrideKind = (typeof OVERRIDE_KINDS)[number];

export interface DateOverride {
  /** Local date `YYYY-MM-DD` in the calendar's time zone. */
  date: string;
  kind: OverrideKind;
  name: string;
  /** Hours of a make-up working day; null means the calendar's regular weekday hours. Null for holidays. */
  periods: Period[] | null;
  /** True for dates shipped before the State Council published the year's notice. */
  provisional: boolean;
}

/** What the arithmetic needs of a calendar; `id` and `version` key the compiled cache. */
export interface CalendarDefinition {
  id: string;
  version: number;
  timeZone: string;
  weeklyHours: WeeklyHours;
  overrides: DateOverride[];
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The platform calendar's hours, and so every organization's default: a lunch break from 12:00 to 13:30. */
export const STANDARD_WEEKLY_HOURS: WeeklyHours = {
  mon: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '18:00' },
  ],
  tue: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '18:00' },
  ],
  wed: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '18:00' },
  ],
  thu: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '18:00' },
  ],
  fri: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '18:00' },
  ],
  sat: [],
  sun: [],
};
