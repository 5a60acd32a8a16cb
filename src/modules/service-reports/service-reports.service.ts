import { Injectable } from '@nestjs/common';
import type { EChartsOption } from 'echarts';
import { Clock } from '../../platform/clock/clock';
import {
  periodBuckets,
  rate,
  ReportAnswer,
  ReportColumn,
  ReportInterval,
  ReportTable,
} from '../../platform/reports';
import { DataScope } from '../access/data-scope';
import { OrganizationTimeZones } from '../organizations/organization-time-zones';
import { SlaClock } from '../service-levels';
import { TicketSlaReportReader } from '../ticket-slas/ticket-sla-report-reader';
import { TICKET_CHANNELS, TICKET_TYPES, TicketChannel, TicketType } from '../tickets/ticket.dto';
import {
  BACKLOG_AGE_BUCKETS,
  FINISHED_STATES,
  TicketMoment,
  TicketReportFilters,
  TicketReportReader,
} from '../tickets/ticket-report-reader';
import { TICKET_STATES, TicketState } from '../tickets/ticket-state';
import { bucketIndex, durationFigures, MeasuredDuration } from './duration-figures';
import {
  BacklogReportDto,
  DurationBucketDto,
  DurationGroup,
  DurationGroupDto,
  DurationReportDto,
  DurationReportQueryDto,
  PolicyAttainmentDto,
  ServiceReportFiltersDto,
  ServiceReportQueryDto,
  ServiceSeriesQueryDto,
  SlaAttainmentReportDto,
  VolumeReportDto,
} from './service-report.dto';

export type DurationKind = 'first_response' | 'resolution';

const MINUTE = 60_000;
/** A working-time measure: the target's minutes do not matter, only its mode. */
const WORKING = { minutes: 0, mode: 'working' as const };
const OPEN_STATES = TICKET_STATES.filter((s) => !FINISHED_STATES.includes(s));
const AGE_LABELS: Record<(typeof BACKLOG_AGE_BUCKETS)[number], string> = {
  lt_1d: '< 1 day',
  '1_3d': '1–3 days',
  '3_7d': '3–7 days',
  gt_7d: '> 7 days',
};

const filtersOf = (q: ServiceReportFiltersDto): TicketReportFilters => ({
  type: q.type,
  channel: q.channel,
  priority: q.priority,
  unitId: q.unitId,
  agentId: q.agentId,
});

const zeroCounts = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** A line chart over categories, one named series each (legend, axes with units). */
function lineChart(
  categories: string[],
  xName: string,
  yName: string,
  series: { name: string; data: (number | null)[] }[],
): EChartsOption {
  return {
    legend: { top: 40, type: 'scroll', data: series.map((s) => s.name) },
    grid: { top: 90, left: 80, right: 40, bottom: 70, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 40, data: categories },
    yAxis: { type: 'value', name: yName },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data })),
  };
}

/**
 * Service reports (first response, resolution, SLA attainment, backlog, volume) over a caller's tickets:
 * the scope and filters are applied in SQL by the tickets module's reader; this service measures and
 * aggregates. Metric definitions: docs/service-reports.md.
 */
@Injectable()
export class ServiceReportsService {
  constructor(
    private readonly tickets: TicketReportReader,
    private readonly slas: TicketSlaReportReader,
    private readonly zones: OrganizationTimeZones,
    private readonly clock: Clock,
  ) {}

  async durations(
    scope: DataScope,
    query: DurationReportQueryDto,
    kind: DurationKind,
  ): Promise<ReportAnswer<DurationReportDto>> {
    const period = await this.zones.reportPeriod(scope.orgId, query);
    const interval: ReportInterval = query.interval ?? 'day';
    const buckets = periodBuckets(period, interval);
    const selection = this.tickets.selection(scope, filtersOf(query));
    const moments =
      kind === 'first_response'
        ? await this.tickets.firstResponses(selection, period.start, period.end)
        : await this.tickets.resolutions(selection, period.start, period.end);
    const clocks = await this.slas.clocks(
      scope.orgId,
      moments.map((m) => m.ticketId),
    );
    const measured = moments.map((m) => {
      const c = clocks.get(m.ticketId);
      const at = m.at.getTime();
      const working =
        c && c.calendar
          ? SlaClock.elapsedMinutes(WORKING, c.calendar, c.startedAt.getTime(), c.pauses, at)
          : null;
      return { moment: m, duration: { working, wallClock: (at - m.createdAt.getTime()) / MINUTE } };
    });
    const starts = buckets.map((b) => b.start.getTime());
    const inBuckets = (items: typeof measured): DurationBucketDto[] => {
      const per: MeasuredDuration[][] = buckets.map(() => []);
      for (const item of items) {
        const i = bucketIndex(starts, item.moment.at.getTime());
        if (i >= 0) per[i].push(item.duration);
      }
      return buckets.map((b, i) => ({ bucket: b.label, ...durationFigures(per[i]) }));
    };

    const groupBy = query.groupBy ?? null;
    const groups: DurationGroupDto[] = [];
    if (groupBy) {
      const byKey = new Map<string | null, typeof measured>();
      for (const item of measured) {
        const key = groupKey(item.moment, groupBy);
        byKey.set(key, [...(byKey.get(key) ?? []), item]);
      }
      const keys = [...byKey.keys()].sort((a, b) =>
        a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0,
      );
      for (const key of keys) {
        const items = byKey.get(key)!;
        groups.push({ key, total: durationFigures(items.map((i) => i.duration)), buckets: inBuckets(items) });
      }
    }
    const body: DurationReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      interval,
      groupBy,
      total: durationFigures(measured.map((i) => i.duration)),
      buckets: inBuckets(measured),
      groups,
    };

    const name = kind === 'first_response' ? 'First response' : 'Resolution';
    const columns: ReportColumn[] = [
      ...(groupBy ? [{ key: 'group', label: groupBy }] : []),
      { key: 'bucket', label: interval === 'week' ? 'Week (Monday)' : interval },
      { key: 'count', label: 'Tickets', unit: 'tickets' },
      { key: 'workingMedian', label: 'Median, working', unit: 'minutes' },
      { key: 'workingP90', label: 'p90, working', unit: 'minutes' },
      { key: 'wallClockMedian', label: 'Median, wall clock', unit: 'minutes' },
      { key: 'wallClockP90', label: 'p90, wall clock', unit: 'minutes' },
    ];
    const row = (group: string | null, bucket: string, f: DurationReportDto['total']) => ({
      ...(groupBy ? { group } : {}),
      bucket,
      count: f.count,
      workingMedian: f.workingMinutes.median,
      workingP90: f.workingMinutes.p90,
      wallClockMedian: f.wallClockMinutes.median,
      wallClockP90: f.wallClockMinutes.p90,
    });
    const rows = groupBy
      ? groups.flatMap((g) => [
          ...g.buckets.map((b) => row(g.key, b.bucket, b)),
          row(g.key, 'total', g.total),
        ])
      : [...body.buckets.map((b) => row(null, b.bucket, b)), row(null, 'total', body.total)];
    const categories = body.buckets.map((b) => b.bucket);
    const series = groupBy
      ? groups.map((g) => ({
          name: `${g.key ?? 'unassigned'}: median, working`,
          data: g.buckets.map((b) => b.workingMinutes.median),
        }))
      : [
          { name: 'Median, working (minutes)', data: body.buckets.map((b) => b.workingMinutes.median) },
          { name: 'p90, working (minutes)', data: body.buckets.map((b) => b.workingMinutes.p90) },
          { name: 'Median, wall clock (minutes)', data: body.buckets.map((b) => b.wallClockMinutes.median) },
          { name: 'p90, wall clock (minutes)', data: body.buckets.map((b) => b.wallClockMinutes.p90) },
        ];
    return new ReportAnswer(
      body,
      `${name} time, ${period.from} – ${period.to}`,
      { columns, rows },
      { kind: 'option', option: lineChart(categories, interval, 'minutes', series) },
      `${kind.replace('_', '-')}-${period.from}-${period.to}`,
    );
  }

  async slaAttainment(
    scope: DataScope,
    query: ServiceReportQueryDto,
  ): Promise<ReportAnswer<SlaAttainmentReportDto>> {
    const period = await this.zones.reportPeriod(scope.orgId, query);
    const selection = this.tickets.selection(scope, filtersOf(query));
    const outcomes = await this.slas.outcomes(selection, period.start, period.end);
    const breaches = await this.slas.breaches(selection, period.start, period.end);
    const escalations = await this.tickets.escalations(selection, period.start, period.end);
    const policyOf = await this.slas.policies(
      scope.orgId,
      escalations.map((e) => e.ticketId),
    );

    const byPolicy = new Map<string, PolicyAttainmentDto & { raw: number[] }>();
    const entry = (policyId: string | null, policyName: string | null) => {
      const key = `${policyId ?? ''}|${policyName ?? ''}`;
      let e = byPolicy.get(key);
      if (!e) {
        e = { ...emptyPolicy(policyId, policyName), raw: [0, 0, 0, 0] };
        byPolicy.set(key, e);
      }
      return e;
    };
    for (const o of outcomes) {
      const e = entry(o.policyId, o.policyName);
      e.raw = [
        e.raw[0] + o.firstResponseMet,
        e.raw[1] + o.firstResponseBreached,
        e.raw[2] + o.resolutionMet,
        e.raw[3] + o.resolutionBreached,
      ];
    }
    for (const b of breaches) entry(b.policyId, b.policyName).breaches += b.breaches;
    for (const x of escalations) {
      const ref = policyOf.get(x.ticketId) ?? { policyId: null, policyName: null };
      const e = entry(ref.policyId, ref.policyName);
      e.escalations.manual += x.manual;
      e.escalations.automatic += x.automatic;
    }
    const total = { ...emptyPolicy(null, null), raw: [0, 0, 0, 0] };
    const policies = [...byPolicy.values()]
      .filter(
        (e) =>
          e.raw.some((n) => n > 0) || e.breaches > 0 || e.escalations.manual + e.escalations.automatic > 0,
      )
      .sort((a, b) => {
        if (a.policyName === b.policyName) return (a.policyId ?? '').localeCompare(b.policyId ?? '');
        if (a.policyName === null) return 1;
        if (b.policyName === null) return -1;
        return a.policyName.localeCompare(b.policyName);
      });
    for (const e of policies) {
      total.raw = total.raw.map((n, i) => n + e.raw[i]);
      total.breaches += e.breaches;
      total.escalations.manual += e.escalations.manual;
      total.escalations.automatic += e.escalations.automatic;
    }
    const finish = ({ raw, ...e }: PolicyAttainmentDto & { raw: number[] }): PolicyAttainmentDto => ({
      ...e,
      firstResponse: { met: raw[0], breached: raw[1], attainment: rate(raw[0], raw[0] + raw[1]) },
      resolution: { met: raw[2], breached: raw[3], attainment: rate(raw[2], raw[2] + raw[3]) },
    });
    const body: SlaAttainmentReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      policies: policies.map(finish),
      total: finish(total),
    };
    const columns: ReportColumn[] = [
      { key: 'policyId', label: 'Policy id' },
      { key: 'policyName', label: 'Policy' },
      { key: 'firstResponseMet', label: 'First response met', unit: 'targets' },
      { key: 'firstResponseBreached', label: 'First response breached', unit: 'targets' },
      { key: 'firstResponseAttainment', label: 'First response attainment', unit: 'ratio' },
      { key: 'resolutionMet', label: 'Resolution met', unit: 'targets' },
      { key: 'resolutionBreached', label: 'Resolution breached', unit: 'targets' },
      { key: 'resolutionAttainment', label: 'Resolution attainment', unit: 'ratio' },
      { key: 'breaches', label: 'Breaches', unit: 'targets' },
      { key: 'manualEscalations', label: 'Manual escalations', unit: 'escalations' },
      { key: 'automaticEscalations', label: 'Automatic escalations', unit: 'escalations' },
    ];
    const row = (p: PolicyAttainmentDto, label: string | null) => ({
      policyId: p.policyId,
      policyName: label,
      firstResponseMet: p.firstResponse.met,
      firstResponseBreached: p.firstResponse.breached,
      firstResponseAttainment: p.firstResponse.attainment,
      resolutionMet: p.resolution.met,
      resolutionBreached: p.resolution.breached,
      resolutionAttainment: p.resolution.attainment,
      breaches: p.breaches,
      manualEscalations: p.escalations.manual,
      automaticEscalations: p.escalations.automatic,
    });
    const table: ReportTable = {
      columns,
      rows: [
        ...body.policies.map((p) => row(p, p.policyName ?? 'No policy')),
        row(body.total, 'All policies'),
      ],
    };
    return new ReportAnswer(
      body,
      `SLA attainment, ${period.from} – ${period.to}`,
      table,
      { kind: 'bar', x: 'policyName', series: ['firstResponseAttainment', 'resolutionAttainment'] },
      `sla-attainment-${period.from}-${period.to}`,
    );
  }

  async backlog(scope: DataScope, query: ServiceReportQueryDto): Promise<ReportAnswer<BacklogReportDto>> {
    const period = await this.zones.reportPeriod(scope.orgId, query);
    const now = this.clock.now();
    const at = period.end < now ? period.end : now;
    const selection = this.tickets.selection(scope, filtersOf(query));
    const rows = await this.tickets.backlog(selection, at);
    const count = (state: TicketState | null, age: string | null) =>
      rows
        .filter((r) => (state === null || r.state === state) && (age === null || r.age === age))
        .reduce((n, r) => n + r.count, 0);
    const body: BacklogReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      at: at.toISOString(),
      total: count(null, null),
      byAge: BACKLOG_AGE_BUCKETS.map((age) => ({ age, count: count(null, age) })),
      byState: OPEN_STATES.map((state) => ({ state, count: count(state, null) })),
      cells: OPEN_STATES.flatMap((state) =>
        BACKLOG_AGE_BUCKETS.map((age) => ({ state, age, count: count(state, age) })),
      ),
    };
    const table: ReportTable = {
      columns: [
        { key: 'age', label: 'Age' },
        ...OPEN_STATES.map((state) => ({ key: state, label: state, unit: 'tickets' })),
        { key: 'total', label: 'Open tickets', unit: 'tickets' },
      ],
      rows: BACKLOG_AGE_BUCKETS.map((age) => ({
        age: AGE_LABELS[age],
        ...Object.fromEntries(OPEN_STATES.map((state) => [state, count(state, age)])),
        total: count(null, age),
      })),
    };
    return new ReportAnswer(
      body,
      `Backlog at ${body.at} by age`,
      table,
      { kind: 'bar', x: 'age', series: OPEN_STATES, stacked: true },
      `backlog-${period.to}`,
    );
  }

  async volume(scope: DataScope, query: ServiceSeriesQueryDto): Promise<ReportAnswer<VolumeReportDto>> {
    const period = await this.zones.reportPeriod(scope.orgId, query);
    const interval: ReportInterval = query.interval ?? 'day';
    const buckets = periodBuckets(period, interval);
    const selection = this.tickets.selection(scope, filtersOf(query));
    const rows = await this.tickets.volume(selection, period.start, period.end, interval, period.timeZone);
    const perBucket = new Map(
      buckets.map((b) => [
        b.label,
        {
          bucket: b.label,
          total: 0,
          byType: zeroCounts(TICKET_TYPES),
          byChannel: zeroCounts(TICKET_CHANNELS),
        },
      ]),
    );
    const byType = zeroCounts<TicketType>(TICKET_TYPES);
    const byChannel = zeroCounts<TicketChannel>(TICKET_CHANNELS);
    let total = 0;
    for (const r of rows) {
      const b = perBucket.get(r.bucket);
      if (!b) continue;
      b.total += r.count;
      b.byType[r.type] += r.count;
      b.byChannel[r.channel] += r.count;
      byType[r.type] += r.count;
      byChannel[r.channel] += r.count;
      total += r.count;
    }
    const body: VolumeReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      interval,
      total,
      byType,
      byChannel,
      buckets: [...perBucket.values()],
    };
    const table: ReportTable = {
      columns: [
        { key: 'bucket', label: interval === 'week' ? 'Week (Monday)' : interval },
        { key: 'total', label: 'Tickets', unit: 'tickets' },
        ...TICKET_TYPES.map((t) => ({ key: `type_${t}`, label: t, unit: 'tickets' })),
        ...TICKET_CHANNELS.map((c) => ({ key: `channel_${c}`, label: c, unit: 'tickets' })),
      ],
      rows: body.buckets.map((b) => ({
        bucket: b.bucket,
        total: b.total,
        ...Object.fromEntries(TICKET_TYPES.map((t) => [`type_${t}`, b.byType[t]])),
        ...Object.fromEntries(TICKET_CHANNELS.map((c) => [`channel_${c}`, b.byChannel[c]])),
      })),
    };
    return new ReportAnswer(
      body,
      `Tickets created by type, ${period.from} – ${period.to}`,
      table,
      { kind: 'bar', x: 'bucket', series: TICKET_TYPES.map((t) => `type_${t}`), stacked: true },
      `volume-${period.from}-${period.to}`,
    );
  }
}

function groupKey(m: TicketMoment, groupBy: DurationGroup): string | null {
  switch (groupBy) {
    case 'agent':
      return m.assigneeId;
    case 'unit':
      return m.unitId;
    case 'type':
      return m.type;
  }
}

function emptyPolicy(policyId: string | null, policyName: string | null): PolicyAttainmentDto {
  return {
    policyId,
    policyName,
    firstResponse: { met: 0, breached: 0, attainment: null },
    resolution: { met: 0, breached: 0, attainment: null },
    breaches: 0,
    escalations: { manual: 0, automatic: 0 },
  };
}
