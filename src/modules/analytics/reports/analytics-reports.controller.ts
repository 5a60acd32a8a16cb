import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { ReportAnswer, ReportEndpoint } from '../../../platform/reports';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import {
  ActiveUsersReportDto,
  ActiveUsersReportQueryDto,
  ChannelsReportDto,
  ChannelsReportQueryDto,
  TrafficReportDto,
  TrafficReportQueryDto,
} from './analytics-reports.dto';
import { AnalyticsReports } from './analytics-reports.service';

const SCOPE =
  'Counts the events of the social accounts your `analytics:read` scope covers (an agency: accounts authorized ' +
  'with an active `analytics` authorization and assigned within its scope), and events of no account only with ' +
  'a scope over the whole organization; a `socialAccountId` out of reach answers 404. `from`/`to` are local days ' +
  'of the organization (default the last 30, at most 366). Read from the rollups, which the rollup job keeps ' +
  'within about a minute of ingestion. Metrics: docs/analytics.md.';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/reports')
export class AnalyticsReportsController {
  constructor(private readonly reports: AnalyticsReports) {}

  @Get('traffic')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getTrafficReport',
    summary:
      'Traffic per interval: page views, unique visitors, sessions, bounce rate, average session duration, video plays',
    description: `${SCOPE} Video metrics (plays, average play time, completion rate) come from the accounts' imported daily metrics and are narrowed only by the accounts, not by the event filters; null for hourly buckets.`,
  })
  @ReportEndpoint(TrafficReportDto, 'The traffic report')
  @ApiProblems(400)
  getTrafficReport(
    @Scope() scope: DataScope,
    @Query() query: TrafficReportQueryDto,
  ): Promise<ReportAnswer<TrafficReportDto>> {
    return this.reports.traffic(scope, query);
  }

  @Get('channels')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getChannelsReport',
    summary: 'Visitors, sessions and conversions per channel or per UTM source, medium or campaign',
    description: SCOPE,
  })
  @ReportEndpoint(ChannelsReportDto, 'The channels report')
  @ApiProblems(400)
  getChannelsReport(
    @Scope() scope: DataScope,
    @Query() query: ChannelsReportQueryDto,
  ): Promise<ReportAnswer<ChannelsReportDto>> {
    return this.reports.channels(scope, query);
  }

  @Get('active-users')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getActiveUsersReport',
    summary: 'DAU, WAU, MAU, stickiness and lifecycle (new, returning, resurrecting, dormant) per interval',
    description: SCOPE,
  })
  @ReportEndpoint(ActiveUsersReportDto, 'The active-users report')
  @ApiProblems(400)
  getActiveUsersReport(
    @Scope() scope: DataScope,
    @Query() query: ActiveUsersReportQueryDto,
  ): Promise<ReportAnswer<ActiveUsersReportDto>> {
    return this.reports.activeUsers(scope, query);
  }
}
