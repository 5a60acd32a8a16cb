import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import {
  bucketLabelSql,
  localDay,
  PeriodBucket,
  periodBuckets,
  rate,
  ReportAnswer,
  ReportInterval,
  ReportPeriod,
} from '../../../platform/reports';
import { DataScope } from '../../access/data-scope';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { AccountDataService } from '../account-data.service';
import { AnalyticsReportScope, EventSelection } from '../report-scope';
import { PersonUnion } from '../rollups/person-set';
import {
  ActiveUsersBucketDto,
  ActiveUsersReportDto,
  ActiveUsersReportQueryDto,
  ChannelGrouping,
  ChannelRowDto,
  ChannelsReportDto,
  ChannelsReportQueryDto,
  TRAFFIC_METRICS,
  TrafficBucketDto,
  TrafficFiguresDto,
  TrafficMetric,
  TrafficReportDto,
  TrafficReportQueryDto,
} from './analytics-reports.dto';

/** Reports read rollups only; a period of up to a year and a bit, like every report. */
const LIMITS = { defaultDays: 30, maxDays: 366 };

const TRAFFIC_COLUMNS: Record<TrafficMetric, { label: string; unit: string }> = {
  pageViews: { label: 'Page views', unit: 'views' },
  visitors: { label: 'Unique visitors', unit: 'visitors' },
  sessions: { label: 'Sessions', unit: 'sessions' },
  bounceRate: { label: 'Bounce rate', unit: 'ratio' },
  avgSessionDurationSeconds: { label: 'Average session duration', unit: 'seconds' },
  plays: { label: 'Video plays', unit: 'plays' },
  avgPlayTimeMs: { label: 'Average play time', unit: 'ms' },
  completionRate: { label: 'Completion rate', unit: 'ratio' },
};

const GROUP_COLUMNS: Record<ChannelGrouping, string> = {
  channel: 'channel',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
};

interface Additive {
  page_views: string;
  sessions: string;
  bounces: string;
  session_ms: string;
}

interface Video {
  plays: number;
  playTimeMs: number;
  completionBp: number;
}

/** The filters the day sets do not carry: a report with any of them reads the person-days. */
const DIMENSION_FILTERS = [
  'channel',
  'socialAccountId',
  'campaignId',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'deviceType',
] as const;

interface TrafficCounts {
  additive: Map<string, Additive>;
  visitors: Map<string, number>;
  totals: Map<string, Additive>;
  totalVisitors: Map<string, number>;
}

const DAY_INSTANT = (zone: string) => `(day::timestamp AT TIME ZONE ${zone})`;

/**
 * The traffic, channel and active-user reports. Every number comes from the rollups
 * (`analytics_rollup_days` / `_hours` for additive counts, `analytics_person_days` for distinct
 * persons) narrowed by the caller's `EventSelection`, never from raw events, so the cost grows with the
 * days of the period and the dimension combinations, not with the events.
 */
@Injectable()
export class AnalyticsReports {
  constructor(
    private readonly dataSource: DataSource,
    private readonly zones: OrganizationTimeZones,
    private readonly reportScope: AnalyticsReportScope,
    private readonly accountData: AccountDataService,
  ) {}

  async traffic(scope: DataScope, query: TrafficReportQueryDto): Promise<ReportAnswer<TrafficReportDto>> {
    const interval = query.interval ?? 'day';
    const period = await this.zones.reportPeriod(scope.orgId, query, LIMITS);
    const buckets = periodBuckets(period, interval);
    const selection = await this.reportScope.resolve(scope, query);

    const [fast, video] = await Promise.all([
      interval === 'hour' ? Promise.resolve(null) : this.fromDaySets(selection, period, buckets),
      interval === 'hour'
        ? Promise.resolve(null)
        : this.accountData.videoTotals(selection.accountIds, period.from, period.to),
    ]);
    const { additive, visitors, totals, totalVisitors } =
      fast ?? (await this.fromPersonDays(selection, period, interval));

    const videoByBucket = new Map<string, Video>();
    const videoTotal: Video = { plays: 0, playTimeMs: 0, completionBp: 0 };
    for (const day of video ?? []) {
      const at = DateTime.fromISO(day.day, { zone: period.timeZone }).toJSDate();
      const bucket = buckets.find((b) => b.start <= at && at < b.end);
      if (!bucket) continue;
      const sum = videoByBucket.get(bucket.label) ?? { plays: 0, playTimeMs: 0, completionBp: 0 };
      for (const target of [sum, videoTotal]) {
        target.plays += day.plays;
        target.playTimeMs += day.playTimeMs;
        target.completionBp += day.completionBp;
      }
      videoByBucket.set(bucket.label, sum);
    }

    const figures = (
      counts: Additive | undefined,
      persons: number,
      plays: Video | undefined,
    ): TrafficFiguresDto => {
      const sessions = Number(counts?.sessions ?? 0);
      const duration = rate(Number(counts?.session_ms ?? 0) / 1000, sessions, 2);
      return {
        pageViews: Number(counts?.page_views ?? 0),
        visitors: persons,
        sessions,
        bounceRate: rate(Number(counts?.bounces ?? 0), sessions),
        avgSessionDurationSeconds: duration,
        plays: video === null ? null : (plays?.plays ?? 0),
        avgPlayTimeMs:
          video === null || !plays
            ? null
            : plays.plays === 0
              ? null
              : Math.round(plays.playTimeMs / plays.plays),
        completionRate: video === null || !plays ? null : rate(plays.completionBp / 10_000, plays.plays),
      };
    };
    const items: TrafficBucketDto[] = buckets.map((b) => ({
      bucket: b.label,
      ...figures(additive.get(b.label), visitors.get(b.label) ?? 0, videoByBucket.get(b.label)),
    }));
    const body: TrafficReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      interval,
      totals: figures(totals.get(''), totalVisitors.get('') ?? 0, videoTotal),
      items,
    };

    const chosen = query.metrics ? (query.metrics.split(',') as TrafficMetric[]) : [...TRAFFIC_METRICS];
    const metrics = TRAFFIC_METRICS.filter((m) => chosen.includes(m));
    const series = query.metrics ? metrics : (['pageViews', 'visitors', 'sessions'] as TrafficMetric[]);
    return new ReportAnswer(
      body,
      `Traffic ${period.from} – ${period.to} (${period.timeZone}), by ${interval}`,
      {
        columns: [
          { key: 'bucket', label: interval },
          ...metrics.map((m) => ({ key: m, ...TRAFFIC_COLUMNS[m] })),
        ],
        rows: items.map((item) => ({
          bucket: item.bucket,
          ...Object.fromEntries(metrics.map((m) => [m, item[m]])),
        })),
      },
      { kind: 'line', x: 'bucket', series },
      `traffic-${period.from}-${period.to}`,
    );
  }

  async channels(scope: DataScope, query: ChannelsReportQueryDto): Promise<ReportAnswer<ChannelsReportDto>> {
    const groupBy = query.groupBy ?? 'channel';
    const column = GROUP_COLUMNS[groupBy];
    const period = await this.zones.reportPeriod(scope.orgId, query, LIMITS);
    const selection = await this.reportScope.resolve(scope, query);

    const countParams: unknown[] = [period.from, period.to];
    const counts: { key: string | null; sessions: string; conversions: string; amount: string }[] =
      await this.dataSource.query(
        `SELECT ${column} AS key, sum(sessions) AS sessions, sum(conversions) AS conversions, sum(amount_fen) AS amount
           FROM analytics_rollup_days r
          WHERE ${selection.where('r', countParams)} AND r.day BETWEEN $1 AND $2
          GROUP BY 1`,
        countParams,
      );
    const personParams: unknown[] = [period.from, period.to];
    const persons: { key: string | null; visitors: string; converted: string }[] =
      await this.dataSource.query(
        `SELECT key, count(*) AS visitors, count(*) FILTER (WHERE converted) AS converted
         FROM (SELECT ${column} AS key, person, bool_or(conversions > 0) AS converted
                 FROM analytics_person_days p
                WHERE ${selection.where('p', personParams)} AND p.day BETWEEN $1 AND $2
                GROUP BY 1, 2) x
        GROUP BY 1`,
        personParams,
      );

    const rows = new Map<string | null, ChannelRowDto>();
    const row = (key: string | null) => {
      let found = rows.get(key);
      if (!found) {
        found = { key, visitors: 0, sessions: 0, conversions: 0, conversionRate: null, amountFen: 0 };
        rows.set(key, found);
      }
      return found;
    };
    const converted = new Map<string | null, number>();
    for (const c of counts) {
      Object.assign(row(c.key), {
        sessions: Number(c.sessions),
        conversions: Number(c.conversions),
        amountFen: Number(c.amount),
      });
    }
    for (const p of persons) {
      row(p.key).visitors = Number(p.visitors);
      converted.set(p.key, Number(p.converted));
    }
    const items = [...rows.values()]
      .map((r) => ({ ...r, conversionRate: rate(converted.get(r.key) ?? 0, r.visitors) }))
      .sort((a, b) => b.visitors - a.visitors || (a.key ?? '').localeCompare(b.key ?? ''));

    return new ReportAnswer(
      { from: period.from, to: period.to, timeZone: period.timeZone, groupBy, items },
      `Visitors, sessions and conversions by ${groupBy} ${period.from} – ${period.to} (${period.timeZone})`,
      {
        columns: [
          { key: 'key', label: groupBy },
          { key: 'visitors', label: 'Visitors', unit: 'visitors' },
          { key: 'sessions', label: 'Sessions', unit: 'sessions' },
          { key: 'conversions', label: 'Conversions', unit: 'conversions' },
          { key: 'conversionRate', label: 'Conversion rate', unit: 'ratio' },
          { key: 'amountFen', label: 'Amount', unit: 'fen' },
        ],
        rows: items.map((i) => ({ ...i, key: i.key ?? '(none)' })),
      },
      { kind: 'bar', x: 'key', series: ['visitors', 'sessions', 'conversions'] },
      `channels-${groupBy}-${period.from}-${period.to}`,
    );
  }

  async activeUsers(
    scope: DataScope,
    query: ActiveUsersReportQueryDto,
  ): Promise<ReportAnswer<ActiveUsersReportDto>> {
    const interval = query.interval ?? 'day';
    const period = await this.zones.reportPeriod(scope.orgId, query, LIMITS);
    const selection = await this.reportScope.resolve(scope, query);
    const zone = period.timeZone;
    const local = (b: PeriodBucket) => {
      const start = localDay(b.start, zone);
      const end = localDay(b.end, zone);
      const days = Math.round(
        DateTime.fromISO(end, { zone: 'UTC' }).diff(DateTime.fromISO(start, { zone: 'UTC' }), 'days').days,
      );
      const previous = DateTime.fromISO(start, { zone: 'UTC' }).minus({ days }).toISODate()!;
      const last = DateTime.fromISO(end, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
      return { label: b.label, start, end, previous, last, days };
    };
    const buckets = periodBuckets(period, interval).map(local);
    const earliest = [buckets[0].previous, shiftDay(period.from, -29)].sort()[0];
    const afterLast = shiftDay(period.to, 1);

    // Distinct persons per day of the selection, from the earliest day any figure looks at.
    const dailyParams: unknown[] = [earliest, afterLast];
    const daily: { day: string; n: string }[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, count(DISTINCT person) AS n FROM analytics_person_days p
        WHERE ${selection.where('p', dailyParams)} AND p.day >= $1 AND p.day < $2 GROUP BY day`,
      dailyParams,
    );
    const dailyActive = new Map(daily.map((d) => [d.day, Number(d.n)]));

    const params: unknown[] = [
      buckets.map((b) => b.label),
      buckets.map((b) => b.start),
      buckets.map((b) => b.end),
      buckets.map((b) => b.previous),
      buckets.map((b) => b.last),
      earliest,
      afterLast,
    ];
    const inRange = selection.where('p', params);
    const everBefore = selection.where('h', params);
    const figures: {
      label: string;
      active: string;
      new: string;
      returning: string;
      resurrecting: string;
      dormant: string;
      wau: string;
      mau: string;
    }[] = await this.dataSource.query(
      `WITH b AS (
         SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::date[], $5::date[]) AS b(label, s, e, ps, last)
       ), pd AS (
         SELECT DISTINCT person, day FROM analytics_person_days p WHERE ${inRange} AND p.day >= $6 AND p.day < $7
       ), firsts AS (
         SELECT person, min(day) AS first FROM analytics_person_days h
          WHERE ${everBefore} AND h.day < $7 AND h.person IN (SELECT person FROM pd)
          GROUP BY person
       ), lifecycle AS (
         SELECT b.label,
                count(*) FILTER (WHERE x.cur) AS active,
                count(*) FILTER (WHERE x.cur AND f.first >= b.s) AS new,
                count(*) FILTER (WHERE x.cur AND x.prev) AS returning,
                count(*) FILTER (WHERE x.cur AND NOT x.prev AND f.first < b.s) AS resurrecting,
                count(*) FILTER (WHERE x.prev AND NOT x.cur) AS dormant
           FROM b CROSS JOIN LATERAL (
                  SELECT person, bool_or(day >= b.s) AS cur, bool_or(day < b.s) AS prev
                    FROM pd WHERE pd.day >= b.ps AND pd.day < b.e GROUP BY person) x
           JOIN firsts f USING (person)
          GROUP BY b.label
       )
       SELECT b.label, coalesce(l.active, 0) AS active, coalesce(l.new, 0) AS new,
              coalesce(l.returning, 0) AS returning, coalesce(l.resurrecting, 0) AS resurrecting,
              coalesce(l.dormant, 0) AS dormant,
              (SELECT count(DISTINCT person) FROM pd WHERE pd.day > b.last - 7 AND pd.day <= b.last) AS wau,
              (SELECT count(DISTINCT person) FROM pd WHERE pd.day > b.last - 30 AND pd.day <= b.last) AS mau
         FROM b LEFT JOIN lifecycle l USING (label)`,
      params,
    );
    const byLabel = new Map(figures.map((f) => [f.label, f]));
    const items: ActiveUsersBucketDto[] = buckets.map((b) => {
      const f = byLabel.get(b.label)!;
      let sum = 0;
      for (let i = 0; i < b.days; i += 1) sum += dailyActive.get(shiftDay(b.start, i)) ?? 0;
      const dau = Math.round((sum / b.days) * 100) / 100;
      const mau = Number(f.mau);
      return {
        bucket: b.label,
        active: Number(f.active),
        dau,
        wau: Number(f.wau),
        mau,
        stickiness: rate(dau, mau),
        new: Number(f.new),
        returning: Number(f.returning),
        resurrecting: Number(f.resurrecting),
        dormant: Number(f.dormant),
      };
    });
    const count = (key: string, label: string) => ({ key, label, unit: 'persons' });
    return new ReportAnswer(
      { from: period.from, to: period.to, timeZone: zone, interval, items },
      `Active users ${period.from} – ${period.to} (${zone}), by ${interval}`,
      {
        columns: [
          { key: 'bucket', label: interval },
          count('active', 'Active'),
          count('dau', 'DAU'),
          count('wau', 'WAU'),
          count('mau', 'MAU'),
          { key: 'stickiness', label: 'Stickiness (DAU/MAU)', unit: 'ratio' },
          count('new', 'New'),
          count('returning', 'Returning'),
          count('resurrecting', 'Resurrecting'),
          count('dormant', 'Dormant'),
        ],
        rows: items.map((i) => ({ ...i })),
      },
      { kind: 'line', x: 'bucket', series: ['dau', 'wau', 'mau'] },
      `active-users-${period.from}-${period.to}`,
    );
  }

  /** The traffic counts from the dimensioned rollups and person-days (any filters, any interval). */
  private async fromPersonDays(
    selection: EventSelection,
    period: ReportPeriod,
    interval: ReportInterval,
  ): Promise<TrafficCounts> {
    const [additive, visitors, totals, totalVisitors] = await Promise.all([
      this.additiveByBucket(selection, period, interval),
      this.visitorsByBucket(selection, period, interval),
      this.additiveByBucket(selection, period, null),
      this.visitorsByBucket(selection, period, null),
    ]);
    return { additive, visitors, totals, totalVisitors };
  }

  /**
   * The traffic counts from the day sets (one row per local day: the day's totals over every
   * dimension combination and its active persons' ordinals), when they answer the selection exactly:
   * no dimension filter, events of no account included (an organization-wide reader) and every
   * account the period's events name readable by the caller. Otherwise null, and the caller reads the
   * person-days. Visitors of a bucket (or the period) = the size of the union of its days' sets.
   */
  private async fromDaySets(
    selection: EventSelection,
    period: ReportPeriod,
    buckets: PeriodBucket[],
  ): Promise<TrafficCounts | null> {
    if (!selection.includeUnattributed) return null;
    if (DIMENSION_FILTERS.some((f) => selection.filters[f] !== undefined)) return null;
    const rows: {
      day: string;
      visitors: number;
      persons: Buffer;
      account_ids: string[];
      page_views: string;
      sessions: string;
      bounces: string;
      session_ms: string;
    }[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, visitors, persons, account_ids, page_views, sessions, bounces, session_ms
         FROM analytics_day_sets WHERE org_id = $1 AND day BETWEEN $2 AND $3`,
      [selection.orgId, period.from, period.to],
    );
    const readable = new Set(selection.accountIds);
    if (rows.some((r) => r.account_ids.some((id) => !readable.has(id)))) return null;

    const sums = new Map<
      string,
      { page_views: number; sessions: number; bounces: number; session_ms: number }
    >();
    const bucketDays = new Map<string, typeof rows>();
    const total = new PersonUnion();
    for (const r of rows) {
      const at = DateTime.fromISO(r.day, { zone: period.timeZone }).toJSDate();
      const bucket = buckets.find((b) => b.start <= at && at < b.end);
      for (const label of bucket ? [bucket.label, ''] : ['']) {
        const sum = sums.get(label) ?? { page_views: 0, sessions: 0, bounces: 0, session_ms: 0 };
        sum.page_views += Number(r.page_views);
        sum.sessions += Number(r.sessions);
        sum.bounces += Number(r.bounces);
        sum.session_ms += Number(r.session_ms);
        sums.set(label, sum);
      }
      if (bucket) {
        const days = bucketDays.get(bucket.label) ?? [];
        days.push(r);
        bucketDays.set(bucket.label, days);
      }
      total.add(r.persons);
    }
    const asAdditive = (sum: {
      page_views: number;
      sessions: number;
      bounces: number;
      session_ms: number;
    }) => ({
      page_views: String(sum.page_views),
      sessions: String(sum.sessions),
      bounces: String(sum.bounces),
      session_ms: String(sum.session_ms),
    });
    const additive = new Map<string, Additive>();
    const totals = new Map<string, Additive>();
    for (const [label, sum] of sums) (label === '' ? totals : additive).set(label, asAdditive(sum));
    return {
      additive,
      // A one-day bucket's visitors are its day's count; longer ones the size of their days' union.
      visitors: new Map(
        [...bucketDays].map(([label, days]) => [
          label,
          days.length === 1
            ? days[0].visitors
            : days.reduce((u, d) => u.add(d.persons), new PersonUnion()).size,
        ]),
      ),
      totals,
      totalVisitors: new Map([['', total.size]]),
    };
  }

  /** Page views and session sums per bucket label (`''` for the whole period when `interval` is null). */
  private async additiveByBucket(
    selection: EventSelection,
    period: ReportPeriod,
    interval: ReportInterval | null,
  ): Promise<Map<string, Additive>> {
    // The zone is bound only when a label uses it: PostgreSQL refuses a parameter it cannot type.
    const params: unknown[] = interval ? [period.timeZone] : [];
    let label: string;
    let table: string;
    let range: string;
    if (interval === 'hour') {
      table = 'analytics_rollup_hours';
      label = bucketLabelSql('hour', 'r.hour', '$1');
      range = `r.hour >= $${params.push(period.start)} AND r.hour < $${params.push(period.end)}`;
    } else {
      table = 'analytics_rollup_days';
      label = interval ? bucketLabelSql(interval, DAY_INSTANT('$1'), '$1') : `''`;
      range = `r.day BETWEEN $${params.push(period.from)} AND $${params.push(period.to)}`;
    }
    const rows: (Additive & { label: string })[] = await this.dataSource.query(
      `SELECT ${label} AS label, sum(page_views) AS page_views, sum(sessions) AS sessions,
              sum(bounces) AS bounces, sum(session_ms) AS session_ms
         FROM ${table} r WHERE ${selection.where('r', params)} AND ${range}
        GROUP BY 1`,
      params,
    );
    return new Map(rows.map((r) => [r.label, r]));
  }

  /** Distinct persons per bucket label (`''` for the whole period when `interval` is null). */
  private async visitorsByBucket(
    selection: EventSelection,
    period: ReportPeriod,
    interval: ReportInterval | null,
  ): Promise<Map<string, number>> {
    const params: unknown[] = [period.from, period.to];
    const where = `${selection.where('p', params)} AND p.day BETWEEN $1 AND $2`;
    let sql: string;
    if (interval === 'hour') {
      // Bit h of `hours` says the person was active in local hour h of the day.
      sql = `SELECT to_char(p.day, 'YYYY-MM-DD') || 'T' || lpad(h::text, 2, '0') || ':00' AS label,
                    count(DISTINCT p.person) AS n
               FROM analytics_person_days p CROSS JOIN generate_series(0, 23) AS h
              WHERE ${where} AND p.hours & (1 << h) <> 0
              GROUP BY 1`;
    } else if (interval) {
      const zone = `$${params.push(period.timeZone)}`;
      const label = bucketLabelSql(interval, `(p.day::timestamp AT TIME ZONE ${zone})`, zone);
      sql = `SELECT ${label} AS label, count(DISTINCT p.person) AS n FROM analytics_person_days p
              WHERE ${where} GROUP BY 1`;
    } else {
      sql = `SELECT '' AS label, count(DISTINCT p.person) AS n FROM analytics_person_days p WHERE ${where}`;
    }
    const rows: { label: string; n: string }[] = await this.dataSource.query(sql, params);
    return new Map(rows.map((r) => [r.label, Number(r.n)]));
  }
}

function shiftDay(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate()!;
}
