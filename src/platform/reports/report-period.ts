import { DateTime } from 'luxon';
import { DomainError } from '../errors';
import { ReportInterval } from './report-query.dto';

/** A report's period, resolved in the organization's time zone. */
export interface ReportPeriod {
  /** First local day, inclusive (YYYY-MM-DD). */
  from: string;
  /** Last local day, inclusive (YYYY-MM-DD). */
  to: string;
  timeZone: string;
  /** The instant the first local day starts. */
  start: Date;
  /** The instant after the last local day ends (exclusive bound for SQL: `t >= start AND t < end`). */
  end: Date;
  days: number;
}

export interface PeriodLimits {
  /** Length of the period when `from` is left out. */
  defaultDays?: number;
  /** Longest period accepted (400 beyond it). */
  maxDays?: number;
}

export const DEFAULT_REPORT_DAYS = 30;
export const MAX_REPORT_DAYS = 366;
/** Hourly buckets beyond a month make charts no one can read and answers of thousands of rows. */
export const MAX_HOURLY_DAYS = 31;

/**
 * `from`/`to` as local calendar days of `timeZone`. Left out, `to` is today there and `from` is
 * `defaultDays - 1` days before it. A `to` before `from` or a period longer than `maxDays` is 400
 * naming the field.
 */
export function resolveReportPeriod(
  query: { from?: string; to?: string },
  timeZone: string,
  now: Date,
  limits: PeriodLimits = {},
): ReportPeriod {
  const defaultDays = limits.defaultDays ?? DEFAULT_REPORT_DAYS;
  const maxDays = limits.maxDays ?? MAX_REPORT_DAYS;
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  const to = query.to ? DateTime.fromISO(query.to, { zone: timeZone }) : today;
  const from = query.from
    ? DateTime.fromISO(query.from, { zone: timeZone })
    : to.minus({ days: defaultDays - 1 });
  if (to < from) throw DomainError.validation('to', 'must not be before from');
  const days = Math.round(to.diff(from, 'days').days) + 1;
  if (days > maxDays) throw DomainError.validation('to', `the period must be at most ${maxDays} days`);
  return {
    from: from.toISODate()!,
    to: to.toISODate()!,
    timeZone,
    start: from.toJSDate(),
    end: to.plus({ days: 1 }).toJSDate(),
    days,
  };
}

/** One bucket of a period: its label (as `bucketLabelSql` writes it) and its instants. */
export interface PeriodBucket {
  label: string;
  start: Date;
  end: Date;
}

const LABEL_FORMATS: Record<ReportInterval, { luxon: string; sql: string }> = {
  hour: { luxon: "yyyy-MM-dd'T'HH':00'", sql: 'YYYY-MM-DD"T"HH24":00"' },
  day: { luxon: 'yyyy-MM-dd', sql: 'YYYY-MM-DD' },
  week: { luxon: 'yyyy-MM-dd', sql: 'YYYY-MM-DD' },
  month: { luxon: 'yyyy-MM', sql: 'YYYY-MM' },
};

/**
 * Every bucket of the period in order, so a report answers zero for an empty hour or day rather than
 * leaving it out. Weeks are ISO weeks (labelled by their Monday) and months calendar months, both cut
 * to the period at its ends. Hourly buckets need a period of at most 31 days (400 on `interval`).
 */
export function periodBuckets(period: ReportPeriod, interval: ReportInterval): PeriodBucket[] {
  if (interval === 'hour' && period.days > MAX_HOURLY_DAYS) {
    throw DomainError.validation('interval', `hour needs a period of at most ${MAX_HOURLY_DAYS} days`);
  }
  const unit = interval === 'week' ? 'week' : interval;
  const last = DateTime.fromJSDate(period.end, { zone: period.timeZone });
  const buckets: PeriodBucket[] = [];
  let cursor = DateTime.fromJSDate(period.start, { zone: period.timeZone }).startOf(unit);
  while (cursor < last) {
    const next = cursor.plus({ [`${unit}s`]: 1 });
    const start = cursor.toJSDate() < period.start ? period.start : cursor.toJSDate();
    const end = next > last ? period.end : next.toJSDate();
    buckets.push({ label: cursor.toFormat(LABEL_FORMATS[interval].luxon), start, end });
    cursor = next;
  }
  return buckets;
}

/**
 * SQL for the bucket label of a timestamptz column in the zone bound at `zoneSql` (a parameter such
 * as `$3`), equal to `PeriodBucket.label`, so rows group and join on the same text.
 */
export function bucketLabelSql(interval: ReportInterval, columnSql: string, zoneSql: string): string {
  const unit = interval === 'week' ? 'week' : interval;
  return `to_char(date_trunc('${unit}', ${columnSql}, ${zoneSql}) AT TIME ZONE ${zoneSql}, '${LABEL_FORMATS[interval].sql}')`;
}

/** The local calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}
