import { Injectable } from '@nestjs/common';
import {
  localDay,
  PeriodBucket,
  periodBuckets,
  rate,
  ReportAnswer,
  ReportPeriod,
} from '../../../platform/reports';
import { DataScope } from '../../access/data-scope';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { AnalyticsFiltersDto, AnalyticsReportScope } from '../report-scope';
import { BehaviourQueries, RetentionPeriods } from './behaviour-queries';
import { parseFunnelSteps, stepLabel } from './funnel-steps';
import { FunnelDefinitionDto, FunnelReportDto } from './funnel.dto';
import { PathRulesService } from './path-rules.service';
import { PathsQueryDto, PathsReportDto } from './paths.dto';
import { RetentionQueryDto, RetentionReportDto } from './retention.dto';

type Period = { from?: string; to?: string };

/** A retention report's periods as the queries take them: instants and local days of their starts. */
export function retentionPeriods(period: ReportPeriod, buckets: readonly PeriodBucket[]): RetentionPeriods {
  return {
    starts: buckets.map((b) => b.start),
    startDays: buckets.map((b) => localDay(b.start, period.timeZone)),
    fromDay: period.from,
    toDay: period.to,
  };
}

/** Only the filter fields of a query or body (the rest is the report's own parameters). */
function filtersOf(input: AnalyticsFiltersDto): AnalyticsFiltersDto {
  const { channel, socialAccountId, campaignId, utmSource, utmMedium, utmCampaign, deviceType } = input;
  return { channel, socialAccountId, campaignId, utmSource, utmMedium, utmCampaign, deviceType };
}

/**
 * Funnels, paths and retention: behaviour over people (a user id, else an anonymous id), counted from
 * the raw events of the period the caller's analytics scope covers. Metrics are defined in
 * docs/analytics.md ("Behaviour reports").
 */
@Injectable()
export class BehaviourReportsService {
  constructor(
    private readonly queries: BehaviourQueries,
    private readonly scopes: AnalyticsReportScope,
    private readonly timeZones: OrganizationTimeZones,
    private readonly pathRules: PathRulesService,
  ) {}

  async funnel(
    scope: DataScope,
    definition: FunnelDefinitionDto,
    query: Period & AnalyticsFiltersDto,
    title = 'Funnel',
  ): Promise<ReportAnswer<FunnelReportDto>> {
    // The scope (404 for an account out of reach) before the body's own rules, like the other reports.
    const selection = await this.scopes.resolve(scope, filtersOf(query));
    const period = await this.timeZones.reportPeriod(scope.orgId, query);
    const steps = parseFunnelSteps(definition.steps);
    const counts = await this.queries.funnel(selection, period, steps, definition.conversionWindowSeconds);
    const entered = counts.persons[0];
    const results = definition.steps.map((step, i) => {
      const persons = counts.persons[i];
      const previous = i === 0 ? null : counts.persons[i - 1];
      return {
        step: i + 1,
        label: stepLabel(step),
        persons,
        conversionRate: rate(persons, entered),
        stepConversionRate: previous === null ? null : rate(persons, previous),
        dropOff: previous === null ? 0 : previous - persons,
        dropOffRate: previous === null ? null : rate(previous - persons, previous),
        medianSecondsFromPrevious: counts.medianSeconds[i],
      };
    });
    const converted = counts.persons[counts.persons.length - 1];
    const body: FunnelReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      conversionWindowSeconds: definition.conversionWindowSeconds,
      entered,
      converted,
      conversionRate: rate(converted, entered),
      steps: results,
    };
    return new ReportAnswer(
      body,
      `${title}, ${period.from} to ${period.to}`,
      {
        columns: [
          { key: 'step', label: 'Step' },
          { key: 'label', label: 'Step' },
          { key: 'persons', label: 'People', unit: 'people' },
          { key: 'conversionRate', label: 'Conversion from the first step', unit: 'ratio' },
          { key: 'stepConversionRate', label: 'Conversion from the step before', unit: 'ratio' },
          { key: 'dropOff', label: 'Drop-off', unit: 'people' },
          { key: 'dropOffRate', label: 'Drop-off rate', unit: 'ratio' },
          { key: 'medianSecondsFromPrevious', label: 'Median time from the step before', unit: 'seconds' },
        ],
        rows: results.map((r) => ({ ...r, label: `${r.step}. ${r.label}` })),
      },
      { kind: 'funnel', x: 'label', series: ['persons'] },
      'funnel',
    );
  }

  async paths(scope: DataScope, query: PathsQueryDto): Promise<ReportAnswer<PathsReportDto>> {
    const selection = await this.scopes.resolve(scope, filtersOf(query));
    const period = await this.timeZones.reportPeriod(scope.orgId, query);
    const direction = query.direction ?? 'after';
    const depth = query.depth ?? 3;
    const rules = await this.pathRules.rules(scope.orgId);
    const found = await this.queries.paths(selection, period, {
      event: query.event,
      direction,
      depth,
      limit: query.limit ?? 10,
      rules,
    });
    const body: PathsReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      event: query.event,
      direction,
      depth,
      persons: found.persons,
      transitions: found.transitions,
    };
    // A Sankey diagram: one node per (level, label), so a page seen at two levels is two nodes.
    const node = (level: number, label: string) => `${level}. ${label}`;
    const nodes = new Set<string>();
    const links = found.transitions.map((t) => {
      const [source, target] =
        direction === 'after'
          ? [node(t.level - 1, t.from), node(t.level, t.to)]
          : [node(-t.level, t.to), node(-(t.level - 1), t.from)];
      nodes.add(source).add(target);
      return { source, target, value: t.persons };
    });
    const seriesName = direction === 'after' ? 'People, next steps' : 'People, steps before';
    return new ReportAnswer(
      body,
      `Paths ${direction} ${query.event}, ${period.from} to ${period.to}`,
      {
        columns: [
          { key: 'level', label: 'Level' },
          { key: 'from', label: 'From' },
          { key: 'to', label: 'To' },
          { key: 'persons', label: 'People', unit: 'people' },
        ],
        rows: found.transitions.map((t) => ({ ...t })),
      },
      {
        kind: 'option',
        option: {
          legend: { top: 40, data: [seriesName] },
          tooltip: { trigger: 'item' },
          series: [
            {
              type: 'sankey',
              name: seriesName,
              top: 80,
              bottom: 30,
              left: 40,
              right: 160,
              data: [...nodes].map((name) => ({ name })),
              links,
              label: { show: true },
            },
          ],
        },
      },
      'paths',
    );
  }

  async retention(scope: DataScope, query: RetentionQueryDto): Promise<ReportAnswer<RetentionReportDto>> {
    const selection = await this.scopes.resolve(scope, filtersOf(query));
    const period = await this.timeZones.reportPeriod(scope.orgId, query);
    const interval = query.interval ?? 'day';
    const buckets = periodBuckets(period, interval);
    const { rows } = await this.queries.retention(selection, period, retentionPeriods(period, buckets));
    const active = buckets.map((_, cohort) => new Array<number>(buckets.length - cohort).fill(0));
    for (const row of rows) active[row.cohort][row.period - row.cohort] = row.persons;
    const cohorts = buckets.map((bucket, i) => ({
      cohort: bucket.label,
      persons: active[i][0],
      active: active[i],
      rates: active[i].map((n) => rate(n, active[i][0])),
    }));
    const body: RetentionReportDto = {
      from: period.from,
      to: period.to,
      timeZone: period.timeZone,
      interval,
      cohorts,
    };
    const unit = interval === 'day' ? 'Day' : 'Week';
    const offsets = buckets.map((_, n) => n);
    return new ReportAnswer(
      body,
      `Retention by ${interval}, ${period.from} to ${period.to}`,
      {
        // CSV: one row per cohort, a column per period after it (empty past the report's end).
        columns: [
          { key: 'cohort', label: 'Cohort' },
          { key: 'persons', label: 'People', unit: 'people' },
          ...offsets.map((n) => ({ key: `${interval}${n}`, label: `${unit} ${n}`, unit: 'ratio' })),
        ],
        rows: cohorts.map((c) => ({
          cohort: c.cohort,
          persons: c.persons,
          ...Object.fromEntries(
            offsets.map((n) => [`${interval}${n}`, n < c.rates.length ? c.rates[n] : null]),
          ),
        })),
      },
      {
        kind: 'option',
        option: heatmap(
          cohorts.map((c) => c.cohort),
          offsets.map((n) => `${unit} ${n}`),
          cohorts.flatMap((c, y) =>
            c.rates.map((r, x) => [x, y, r === null ? '-' : Math.round(r * 1000) / 10]),
          ),
        ),
      },
      `retention-${interval}`,
    );
  }
}

/** The retention triangle as an ECharts heatmap: periods after the cohort across, cohorts down, % in cells. */
function heatmap(cohorts: string[], offsets: string[], data: (number | string)[][]) {
  const name = 'Retained (%)';
  return {
    legend: { top: 40, data: [name] },
    grid: { top: 90, left: 100, right: 40, bottom: 110, containLabel: true },
    xAxis: {
      type: 'category' as const,
      name: 'Periods after the cohort',
      nameLocation: 'middle' as const,
      nameGap: 30,
      data: offsets,
    },
    yAxis: { type: 'category' as const, name: 'Cohort', data: cohorts, inverse: true },
    visualMap: {
      min: 0,
      max: 100,
      orient: 'horizontal' as const,
      left: 'center',
      bottom: 10,
      calculable: true,
    },
    series: [{ type: 'heatmap' as const, name, data, label: { show: true } }],
  };
}
