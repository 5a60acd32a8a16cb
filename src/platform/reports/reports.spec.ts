import { XMLValidator } from 'fast-xml-parser';
import { ReportAnswer } from './report-answer';
import { periodBuckets, resolveReportPeriod } from './report-period';
import { nearestRank, rate } from './report-figures';
import { renderCsv, renderSvg } from './report-rendering';

const SHANGHAI = 'Asia/Shanghai';

describe('report periods', () => {
  it('reads from/to as local days of the zone, end exclusive', () => {
    const period = resolveReportPeriod({ from: '2026-11-01', to: '2026-11-30' }, SHANGHAI, new Date());
    expect(period).toMatchObject({ from: '2026-11-01', to: '2026-11-30', days: 30 });
    expect(period.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });

  it('defaults to the 30 local days up to today', () => {
    // 2026-12-03T17:00Z is already 4 December in Shanghai.
    const period = resolveReportPeriod({}, SHANGHAI, new Date('2026-12-03T17:00:00Z'));
    expect(period).toMatchObject({ from: '2026-11-05', to: '2026-12-04', days: 30 });
  });

  it('refuses a to before from and a period over the limit, naming the field', () => {
    expect(() => resolveReportPeriod({ from: '2026-11-02', to: '2026-11-01' }, SHANGHAI, new Date())).toThrow(
      expect.objectContaining({
        options: expect.objectContaining({ errors: [expect.objectContaining({ field: 'to' })] }),
      }),
    );
    expect(() =>
      resolveReportPeriod({ from: '2025-01-01', to: '2026-01-02' }, SHANGHAI, new Date(), { maxDays: 366 }),
    ).toThrow(/at most 366 days|invalid/);
  });

  it('cuts ISO weeks from Monday and months at the period ends', () => {
    const period = resolveReportPeriod({ from: '2026-11-25', to: '2026-12-09' }, SHANGHAI, new Date());
    expect(periodBuckets(period, 'week').map((b) => b.label)).toEqual([
      '2026-11-23',
      '2026-11-30',
      '2026-12-07',
    ]);
    const months = periodBuckets(period, 'month');
    expect(months.map((b) => b.label)).toEqual(['2026-11', '2026-12']);
    expect(months[0].start).toEqual(period.start);
    expect(months[1].end).toEqual(period.end);
  });

  it('has 23 hourly buckets on a spring-forward day', () => {
    const period = resolveReportPeriod(
      { from: '2026-03-08', to: '2026-03-08' },
      'America/New_York',
      new Date(),
    );
    expect(periodBuckets(period, 'hour')).toHaveLength(23);
    expect(() =>
      periodBuckets(
        resolveReportPeriod({ from: '2026-01-01', to: '2026-02-15' }, SHANGHAI, new Date()),
        'hour',
      ),
    ).toThrow();
  });
});

describe('report figures', () => {
  it('answers null for a zero denominator', () => {
    expect(rate(1, 0)).toBeNull();
    expect(rate(1, 3)).toBe(0.3333);
  });

  it('takes the nearest rank', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});

describe('report rendering', () => {
  const answer = new ReportAnswer(
    {},
    'Visits per day',
    {
      columns: [
        { key: 'day', label: 'Day' },
        { key: 'visits', label: 'Visits', unit: 'visits' },
        { key: 'bounceRate', label: 'Bounce rate', unit: '%' },
      ],
      rows: [
        { day: '2026-11-01', visits: 10, bounceRate: 0.5 },
        { day: '2026-11-02', visits: 0, bounceRate: null },
      ],
    },
    { kind: 'line', x: 'day', series: ['visits'] },
    'visits',
  );

  it('writes CSV with a header of keys and empty cells for null', () => {
    expect(renderCsv(answer.table)).toBe('day,visits,bounceRate\n2026-11-01,10,0.5\n2026-11-02,0,\n');
  });

  it('draws an SVG that parses as XML and names its title and series', () => {
    const svg = renderSvg(answer);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('Visits per day');
    expect(svg).toContain('Visits (visits)');
  });

  it.each(['bar', 'pie', 'funnel'] as const)('draws a %s chart', (kind) => {
    const chart =
      kind === 'bar'
        ? { kind, x: 'day', series: ['visits'] }
        : { kind, x: 'day', series: ['visits'] as [string] };
    const svg = renderSvg(new ReportAnswer({}, 'T', answer.table, chart, 'f'));
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('draws a heatmap', () => {
    const svg = renderSvg(
      new ReportAnswer(
        {},
        'Retention',
        {
          columns: [
            { key: 'cohort', label: 'Cohort' },
            { key: 'period', label: 'Week' },
            { key: 'share', label: 'Returning', unit: '%' },
          ],
          rows: [
            { cohort: '2026-11-02', period: 0, share: 100 },
            { cohort: '2026-11-02', period: 1, share: 40 },
            { cohort: '2026-11-09', period: 0, share: 100 },
          ],
        },
        { kind: 'heatmap', x: 'period', y: 'cohort', series: ['share'] },
        'retention',
      ),
    );
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('Returning');
  });
});
