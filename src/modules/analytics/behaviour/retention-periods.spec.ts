import { periodBuckets, resolveReportPeriod } from '../../../platform/reports';
import { retentionPeriods } from './behaviour-reports.service';

describe('retentionPeriods', () => {
  const now = new Date('2026-12-04T12:00:00Z');

  it('gives each weekly period its first local day, the first cut to the report start', () => {
    // 2026-11-18 is a Wednesday: the first period starts there, the next ones on Mondays.
    const period = resolveReportPeriod({ from: '2026-11-18', to: '2026-12-03' }, 'Asia/Shanghai', now);
    const periods = retentionPeriods(period, periodBuckets(period, 'week'));
    expect(periods.startDays).toEqual(['2026-11-18', '2026-11-23', '2026-11-30']);
    expect(periods.starts.map((d) => d.toISOString())).toEqual([
      '2026-11-17T16:00:00.000Z',
      '2026-11-22T16:00:00.000Z',
      '2026-11-29T16:00:00.000Z',
    ]);
    expect([periods.fromDay, periods.toDay]).toEqual(['2026-11-18', '2026-12-03']);
  });

  it('uses the local day of the zone, not the UTC one, for daily periods', () => {
    const period = resolveReportPeriod({ from: '2026-11-01', to: '2026-11-03' }, 'America/New_York', now);
    const periods = retentionPeriods(period, periodBuckets(period, 'day'));
    expect(periods.startDays).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    // Daylight saving ends on 1 November 2026 in New York: the second day starts at 05:00 UTC.
    expect(periods.starts.map((d) => d.toISOString())).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      '2026-11-03T05:00:00.000Z',
    ]);
  });
});
