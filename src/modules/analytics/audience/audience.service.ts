import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rate, ReportAnswer } from '../../../platform/reports';
import { DataScope } from '../../access/data-scope';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { AnalyticsReportScope } from '../report-scope';
import { AudienceDimension, AudienceQueryDto, AudienceReportDto } from './audience.dto';

/** Portrait column and event source of each dimension: fixed here, never from the request. */
const SOURCES: Record<AudienceDimension, { portrait: string; property: string | null }> = {
  age_band: { portrait: 'age_bands', property: 'ageBand' },
  gender: { portrait: 'genders', property: 'gender' },
  region: { portrait: 'regions', property: 'region' },
  device: { portrait: 'devices', property: null },
  interest: { portrait: 'interests', property: 'interests' },
};

const EVENT_ONLY_FILTERS = [
  'channel',
  'campaignId',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'deviceType',
] as const;
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The audience report: one dimension's distribution from two sources side by side, the platform's
 * imported portraits (mean share per account-day) and the people seen in events (distinct people per
 * value of the device type or an event property).
 */
@Injectable()
export class AudienceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeZones: OrganizationTimeZones,
    private readonly reportScope: AnalyticsReportScope,
  ) {}

  async report(scope: DataScope, query: AudienceQueryDto): Promise<ReportAnswer<AudienceReportDto>> {
    const period = await this.timeZones.reportPeriod(scope.orgId, query);
    const selection = await this.reportScope.resolve(scope, query);
    const source = SOURCES[query.dimension];

    let portrait: AudienceReportDto['portrait'] = null;
    if (!EVENT_ONLY_FILTERS.some((name) => query[name] !== undefined)) {
      const rows: { key: string | null; total: string | null; days: number }[] = await this.dataSource.query(
        `WITH p AS (
           SELECT ${source.portrait} AS d FROM social_account_audience_portraits
            WHERE account_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3 AND jsonb_array_length(${source.portrait}) > 0
         )
         SELECT x.key, sum(x."shareBp") AS total, (SELECT count(*)::int FROM p) AS days
           FROM p CROSS JOIN LATERAL jsonb_to_recordset(p.d) AS x(key text, "shareBp" int)
          GROUP BY x.key`,
        [selection.accountIds, period.from, period.to],
      );
      const days = rows[0]?.days ?? 0;
      portrait = {
        accountDays: days,
        items: rows
          .map((row) => ({ key: row.key ?? '', shareBp: round2(Number(row.total) / days) }))
          .sort((a, b) => b.shareBp - a.shareBp || a.key.localeCompare(b.key)),
      };
    }

    const params: unknown[] = [];
    const where = selection.where('e', params);
    const start = `$${params.push(period.start)}`;
    const end = `$${params.push(period.end)}`;
    const values = source.property
      ? `CROSS JOIN LATERAL jsonb_array_elements_text(
           CASE jsonb_typeof(e.properties -> $${params.push(source.property)}::text)
             WHEN 'array' THEN e.properties -> $${params.length}::text
             WHEN 'string' THEN jsonb_build_array(e.properties -> $${params.length}::text)
             ELSE '[]'::jsonb END) AS v(key)`
      : `CROSS JOIN LATERAL (SELECT e.device_type AS key WHERE e.device_type IS NOT NULL) AS v`;
    const rows: { key: string | null; people: number }[] = await this.dataSource.query(
      `SELECT v.key, count(DISTINCT coalesce(e.user_id, e.anonymous_id))::int AS people
         FROM analytics_events e ${values}
        WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
        GROUP BY GROUPING SETS ((v.key), ())`,
      params,
    );
    const known = rows.find((row) => row.key === null)?.people ?? 0;
    const items = rows
      .filter((row) => row.key !== null)
      .map((row) => ({ key: row.key!, people: row.people, share: rate(row.people, known) }))
      .sort((a, b) => b.people - a.people || a.key.localeCompare(b.key));

    const body: AudienceReportDto = {
      dimension: query.dimension,
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      portrait,
      events: {
        source: source.property ? `properties.${source.property}` : 'deviceType',
        people: known,
        items,
      },
    };
    const keys = [...new Set([...(portrait?.items.map((i) => i.key) ?? []), ...items.map((i) => i.key)])];
    const portraitShare = new Map(portrait?.items.map((i) => [i.key, i.shareBp / 100]) ?? []);
    const eventRow = new Map(items.map((i) => [i.key, i]));
    return new ReportAnswer(
      body,
      `Audience by ${query.dimension.replace('_', ' ')}, ${period.from} to ${period.to}`,
      {
        columns: [
          { key: 'key', label: query.dimension },
          { key: 'portraitSharePct', label: 'Portrait share', unit: '%' },
          { key: 'eventSharePct', label: 'Event people share', unit: '%' },
          { key: 'eventPeople', label: 'Event people', unit: 'people' },
        ],
        rows: keys.map((key) => {
          const event = eventRow.get(key);
          return {
            key,
            portraitSharePct: portraitShare.get(key) ?? null,
            eventSharePct: event?.share === null || event === undefined ? null : round2(event.share * 100),
            eventPeople: event?.people ?? null,
          };
        }),
      },
      { kind: 'bar', x: 'key', series: ['portraitSharePct', 'eventSharePct'] },
      `audience-${query.dimension}-${period.from}-${period.to}`,
    );
  }
}
