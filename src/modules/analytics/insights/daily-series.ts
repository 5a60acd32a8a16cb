import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../platform/errors';
import { EventSelection } from '../report-scope';
import {
  ACCOUNT_METRIC_COLUMN,
  DailyMetric,
  EVENT_METRIC_SQL,
  EventMetric,
  isAccountMetric,
} from './metric-catalogue';

/** One value per local day, every day of the range present (0 for a day without data). */
export interface DailyPoint {
  day: string;
  value: number;
}

/** Every local day from `from` to `to`, both inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  let cursor = DateTime.fromISO(from, { zone: 'UTC' });
  const last = DateTime.fromISO(to, { zone: 'UTC' });
  while (cursor <= last) {
    days.push(cursor.toISODate()!);
    cursor = cursor.plus({ days: 1 });
  }
  return days;
}

export const addDays = (day: string, n: number): string =>
  DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate()!;

/** Account metrics carry no channel, campaign, UTM or device; those filters cannot narrow them. */
const EVENT_ONLY_FILTERS = [
  'channel',
  'campaignId',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'deviceType',
] as const;

/**
 * Reads a daily metric of the catalogue for a selection (the accounts and filters a caller may count)
 * over a range of local days: events grouped by day in the organization's time zone, or imported
 * account metrics summed over the selected accounts.
 */
@Injectable()
export class DailySeriesReader {
  constructor(private readonly dataSource: DataSource) {}

  /** A filter that does not apply to the metric is a 400 naming it, not silently ignored. */
  static assertApplicable(metric: DailyMetric, filters: object): void {
    if (!isAccountMetric(metric)) return;
    for (const name of EVENT_ONLY_FILTERS) {
      if ((filters as Record<string, unknown>)[name] !== undefined) {
        throw DomainError.validation(name, `does not apply to the account metric ${metric}`);
      }
    }
  }

  async read(
    selection: EventSelection,
    metric: DailyMetric,
    from: string,
    to: string,
    timeZone: string,
  ): Promise<DailyPoint[]> {
    DailySeriesReader.assertApplicable(metric, selection.filters);
    const values = isAccountMetric(metric)
      ? await this.accountValues(selection, ACCOUNT_METRIC_COLUMN[metric], from, to)
      : await this.eventValues(selection, metric, from, to, timeZone);
    return daysBetween(from, to).map((day) => ({ day, value: values.get(day) ?? 0 }));
  }

  private async eventValues(
    selection: EventSelection,
    metric: EventMetric,
    from: string,
    to: string,
    timeZone: string,
  ): Promise<Map<string, number>> {
    const params: unknown[] = [];
    const where = selection.where('e', params);
    const zone = `$${params.push(timeZone)}`;
    const start = `$${params.push(DateTime.fromISO(from, { zone: timeZone }).toJSDate())}`;
    const end = `$${params.push(DateTime.fromISO(to, { zone: timeZone }).plus({ days: 1 }).toJSDate())}`;
    const rows: { day: string; value: string }[] = await this.dataSource.query(
      `SELECT to_char(e.occurred_at AT TIME ZONE ${zone}, 'YYYY-MM-DD') AS day, ${EVENT_METRIC_SQL[metric]} AS value
         FROM analytics_events e
        WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
        GROUP BY 1`,
      params,
    );
    return new Map(rows.map((row) => [row.day, Number(row.value)]));
  }

  private async accountValues(
    selection: EventSelection,
    column: string,
    from: string,
    to: string,
  ): Promise<Map<string, number>> {
    // Imported data is kept under the brand owning each account; the selection already holds only the
    // accounts the caller may read analytics for, so the account ids are the whole condition.
    const rows: { day: string; value: string }[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(${column}) AS value
         FROM social_account_daily_metrics
        WHERE account_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3
        GROUP BY day`,
      [selection.accountIds, from, to],
    );
    return new Map(rows.map((row) => [row.day, Number(row.value)]));
  }
}
