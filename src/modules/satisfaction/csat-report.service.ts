import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  bucketLabelSql,
  periodBuckets,
  ReportAnswer,
  ReportColumn,
  ReportInterval,
} from '../../platform/reports';
import { DataScope } from '../access/data-scope';
import { OrganizationTimeZones } from '../organizations/organization-time-zones';
import { addCounts, CsatCounts, csatFigures, emptyCounts } from './csat-figures';
import { CsatGrouping, CsatReportDto, CsatReportQueryDto, CsatReportRowDto } from './csat-report.dto';

interface CountRow {
  key: string | null;
  sent: number;
  answered: number;
  csat_sum: number;
  c1: number;
  c2: number;
  c3: number;
  c4: number;
  c5: number;
  nps_answers: number;
  promoters: number;
  detractors: number;
}

const COLUMNS: ReportColumn[] = [
  { key: 'key', label: 'Group' },
  { key: 'sent', label: 'Surveys sent', unit: 'surveys' },
  { key: 'answered', label: 'Answered', unit: 'surveys' },
  { key: 'responseRate', label: 'Response rate', unit: 'ratio' },
  { key: 'csatAverage', label: 'CSAT average', unit: '1–5' },
  { key: 'csat1', label: 'CSAT 1', unit: 'answers' },
  { key: 'csat2', label: 'CSAT 2', unit: 'answers' },
  { key: 'csat3', label: 'CSAT 3', unit: 'answers' },
  { key: 'csat4', label: 'CSAT 4', unit: 'answers' },
  { key: 'csat5', label: 'CSAT 5', unit: 'answers' },
  { key: 'npsAnswers', label: 'NPS answers', unit: 'answers' },
  { key: 'promoters', label: 'Promoters (9–10)', unit: 'answers' },
  { key: 'detractors', label: 'Detractors (0–6)', unit: 'answers' },
  { key: 'nps', label: 'NPS', unit: 'points' },
];

const GROUP_COLUMN: Record<Exclude<CsatGrouping, 'period'>, string> = {
  agent: 's.agent_id::text',
  unit: 's.unit_id::text',
  type: 's.ticket_type',
};

const toCounts = (r: CountRow): CsatCounts => ({
  sent: r.sent,
  answered: r.answered,
  csatSum: r.csat_sum,
  csat: [r.c1, r.c2, r.c3, r.c4, r.c5],
  npsAnswers: r.nps_answers,
  promoters: r.promoters,
  detractors: r.detractors,
});

/**
 * `GET …/service-reports/csat`: surveys issued in the period (by the resolution's local day in the
 * organization's zone), grouped by bucket, agent, unit or ticket type, within the caller's
 * `tickets:supervise` scope (the ticket's unit and assignee at resolution). One grouped SQL statement.
 */
@Injectable()
export class CsatReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeZones: OrganizationTimeZones,
  ) {}

  async report(scope: DataScope, query: CsatReportQueryDto): Promise<ReportAnswer<CsatReportDto>> {
    const period = await this.timeZones.reportPeriod(scope.orgId, query);
    const interval: ReportInterval = query.interval ?? 'day';
    const groupBy: CsatGrouping = query.groupBy ?? 'period';
    const buckets = periodBuckets(period, interval);
    const qb = this.dataSource.createQueryBuilder().from('satisfaction_surveys', 's');
    const keySql =
      groupBy === 'period' ? bucketLabelSql(interval, 's.sent_at', ':zone') : GROUP_COLUMN[groupBy];
    qb.select(`${keySql}`, 'key')
      .addSelect('count(*)::int', 'sent')
      .addSelect('count(s.answered_at)::int', 'answered')
      .addSelect('coalesce(sum(s.csat), 0)::int', 'csat_sum')
      .addSelect('count(*) FILTER (WHERE s.csat = 1)::int', 'c1')
      .addSelect('count(*) FILTER (WHERE s.csat = 2)::int', 'c2')
      .addSelect('count(*) FILTER (WHERE s.csat = 3)::int', 'c3')
      .addSelect('count(*) FILTER (WHERE s.csat = 4)::int', 'c4')
      .addSelect('count(*) FILTER (WHERE s.csat = 5)::int', 'c5')
      .addSelect('count(s.nps)::int', 'nps_answers')
      .addSelect('count(*) FILTER (WHERE s.nps >= 9)::int', 'promoters')
      .addSelect('count(*) FILTER (WHERE s.nps <= 6)::int', 'detractors');
    if (groupBy === 'period') qb.setParameter('zone', period.timeZone);
    scope.apply(qb, { org: 's.org_id', unit: 's.unit_id', owner: 's.agent_id' });
    qb.andWhere('s.sent_at >= :start AND s.sent_at < :end', { start: period.start, end: period.end });
    if (query.agentId) qb.andWhere('s.agent_id = :agentId', { agentId: query.agentId });
    if (query.unitId) qb.andWhere('s.unit_id = :unitId', { unitId: query.unitId });
    if (query.type) qb.andWhere('s.ticket_type = :type', { type: query.type });
    qb.groupBy('1').orderBy('1', 'ASC', 'NULLS LAST');
    const counted = await qb.getRawMany<CountRow>();

    const byKey = new Map(counted.map((r) => [r.key, toCounts(r)]));
    const keys: (string | null)[] = groupBy === 'period' ? buckets.map((b) => b.label) : [...byKey.keys()];
    const rows: CsatReportRowDto[] = keys.map((key) => ({
      key,
      ...csatFigures(byKey.get(key) ?? emptyCounts()),
    }));
    const totals = csatFigures(counted.map(toCounts).reduce(addCounts, emptyCounts()));
    const body: CsatReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      interval,
      groupBy,
      totals,
      rows,
    };
    return new ReportAnswer(
      body,
      `Customer satisfaction by ${groupBy === 'period' ? interval : groupBy}, ${period.from} – ${period.to}`,
      { columns: COLUMNS, rows: rows.map((r) => ({ ...r, key: r.key ?? 'unassigned' })) },
      { kind: 'bar', x: 'key', series: ['csat1', 'csat2', 'csat3', 'csat4', 'csat5'], stacked: true },
      `csat-${period.from}-${period.to}`,
    );
  }
}
