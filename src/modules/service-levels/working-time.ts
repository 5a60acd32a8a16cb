import { DateTime } from 'luxon';
import { minuteOfDay, regularWeekdayHours } from './calendar-rules';
import { CalendarDefinition, WEEKDAYS } from './calendar.types';

/*
 * Working-time arithmetic on a compiled calendar. Pure: no I/O, no clock; instants are epoch
 * milliseconds. A calendar is compiled once (per id and version) into, for each local year, its open
 * intervals as UTC instants with running totals, so that adding working minutes or measuring them is
 * a binary search and a subtraction. Time zones, DST included, are luxon's business at compile time
 * only: a period 09:00–12:00 on a local date becomes whatever UTC interval those wall-clock times
 * name on that date.
 */

const MINUTE = 60_000;
/** How many years ahead the arithmetic looks for working time before it gives up. */
const HORIZON_YEARS = 50;

interface YearChunk {
  readonly year: number;
  /** First instant of the local year, and of the next one. */
  readonly start: number;
  readonly end: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Open milliseconds of the year up to the end of interval i. */
  readonly cumulative: Float64Array;
  readonly total: number;
}

type DayPeriods = readonly (readonly [number, number])[];

/** A calendar ready for arithmetic. Years are laid out on first use and kept. */
export class CompiledCalendar {
  readonly id: string;
  readonly version: number;
  readonly timeZone: string;
  private readonly weekly: DayPeriods[];
  private readonly byDate: Map<string, DayPeriods>;
  private readonly years = new Map<number, YearChunk>();

  constructor(definition: CalendarDefinition) {
    this.id = definition.id;
    this.version = definition.version;
    this.timeZone = definition.timeZone;
    const toMinutes = (periods: readonly { start: string; end: string }[]): DayPeriods =>
      periods.map((p) => [minuteOfDay(p.start), minuteOfDay(p.end)] as const).sort((a, b) => a[0] - b[0]);
    // luxon numbers weekdays 1 (Monday) to 7 (Sunday); index 0 stays unused.
    this.weekly = [[], ...WEEKDAYS.map((day) => toMinutes(definition.weeklyHours[day]))];
    const makeUp = toMinutes(regularWeekdayHours(definition.weeklyHours));
    this.byDate = new Map(
      definition.overrides.map((o) => [
        o.date,
        o.kind === 'holiday' ? [] : o.periods ? toMinutes(o.periods) : makeUp,
      ]),
    );
  }

  /** The year laid out around instant `t` (local years: a UTC year is off by at most one). */
  chunkAt(t: number): YearChunk {
    const year = new Date(t).getUTCFullYear();
    const chunk = this.chunk(year);
    if (t < chunk.start) return this.chunk(year - 1);
    if (t >= chunk.end) return this.chunk(year + 1);
    return chunk;
  }

  chunk(year: number): YearChunk {
    let chunk = this.years.get(year);
    if (!chunk) {
      chunk = this.layOut(year);
      this.years.set(year, chunk);
    }
    return chunk;
  }

  private layOut(year: number): YearChunk {
    const zone = this.timeZone;
    const starts: number[] = [];
    const ends: number[] = [];
    const at = (date: DateTime, minute: number) =>
      minute === 1440
        ? date.plus({ days: 1 }).startOf('day').toMillis()
        : DateTime.fromObject(
            {
              year: date.year,
              month: date.month,
              day: date.day,
              hour: Math.floor(minute / 60),
              minute: minute % 60,
            },
            { zone },
          ).toMillis();
    const first = DateTime.fromObject({ year, month: 1, day: 1 }, { zone });
    const next = DateTime.fromObject({ year: year + 1, month: 1, day: 1 }, { zone });
    for (let date = first; date < next; date = date.plus({ days: 1 })) {
      const periods = this.byDate.get(date.toISODate()!) ?? this.weekly[date.weekday];
      for (const [from, to] of periods) {
        const start = at(date, from);
        const end = at(date, to);
        // A period inside a DST gap names no real time; skip what collapsed to nothing.
        if (end > start) {
          starts.push(start);
          ends.push(end);
        }
      }
    }
    const cumulative = new Float64Array(starts.length);
    let total = 0;
    for (let i = 0; i < starts.length; i++) {
      total += ends[i] - starts[i];
      cumulative[i] = total;
    }
    return {
      year,
      start: first.toMillis(),
      end: next.toMillis(),
      starts: Float64Array.from(starts),
      ends: Float64Array.from(ends),
      cumulative,
      total,
    };
  }
}

export const compileCalendar = (definition: CalendarDefinition): CompiledCalendar =>
  new CompiledCalendar(definition);

/** Index of the first interval that ends after `t` (the length when none does). */
function firstEndingAfter(chunk: YearChunk, t: number): number {
  const ends = chunk.ends;
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Open milliseconds of the chunk's year before instant `t`. */
function workedBefore(chunk: YearChunk, t: number): number {
  const i = firstEndingAfter(chunk, t);
  if (i === chunk.ends.length) return chunk.total;
  const length = chunk.ends[i] - chunk.starts[i];
  return chunk.cumulative[i] - length + Math.max(0, t - chunk.starts[i]);
}

/**
 * The instant `minutes` working minutes after `from`. Counting starts at `from` if the calendar is
 * open then, else at the next opening; the result is the instant the last minute is used up, so a
 * target met exactly at closing time is due at closing (18:00), not at the next opening.
 */
export function addWorkingMinutes(calendar: CompiledCalendar, from: number, minutes: number): number {
  let need = minutes * MINUTE;
  if (need <= 0) return from;
  let chunk = calendar.chunkAt(from);
  let done = workedBefore(chunk, from);
  for (let years = 0; years < HORIZON_YEARS; years++) {
    const left = chunk.total - done;
    if (left >= need) {
      const target = done + need;
      const cumulative = chunk.cumulative;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid] >= target) hi = mid;
        else lo = mid + 1;
      }
      return chunk.ends[lo] - (cumulative[lo] - target);
    }
    need -= left;
    chunk = calendar.chunk(chunk.year + 1);
    done = 0;
  }
  throw new RangeError(`Calendar ${calendar.id} has no working time within ${HORIZON_YEARS} years`);
}

/** Working minutes from `from` to `to` (negative when `to` is earlier); fractions of a minute kept. */
export function workingMinutesBetween(calendar: CompiledCalendar, from: number, to: number): number {
  if (to < from) return -workingMinutesBetween(calendar, to, from);
  let chunk = calendar.chunkAt(from);
  const last = calendar.chunkAt(to);
  if (chunk.year === last.year) return (workedBefore(chunk, to) - workedBefore(chunk, from)) / MINUTE;
  let worked = chunk.total - workedBefore(chunk, from);
  while (chunk.year + 1 < last.year) {
    chunk = calendar.chunk(chunk.year + 1);
    worked += chunk.total;
  }
  return (worked + workedBefore(last, to)) / MINUTE;
}

/** True when `at` lies inside an open period (a period's start is open, its end is not). */
export function isOpen(calendar: CompiledCalendar, at: number): boolean {
  const chunk = calendar.chunkAt(at);
  const i = firstEndingAfter(chunk, at);
  return i < chunk.ends.length && chunk.starts[i] <= at;
}

/** `at` itself when open, else the start of the next open period. */
export function nextOpening(calendar: CompiledCalendar, at: number): number {
  let chunk = calendar.chunkAt(at);
  let i = firstEndingAfter(chunk, at);
  for (let years = 0; years < HORIZON_YEARS; years++) {
    if (i < chunk.ends.length) return Math.max(at, chunk.starts[i]);
    chunk = calendar.chunk(chunk.year + 1);
    i = 0;
  }
  throw new RangeError(`Calendar ${calendar.id} has no working time within ${HORIZON_YEARS} years`);
}
