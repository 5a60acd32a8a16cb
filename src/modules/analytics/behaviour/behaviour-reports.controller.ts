import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { ReportAnswer, ReportEndpoint } from '../../../platform/reports';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { BehaviourReportsService } from './behaviour-reports.service';
import { FunnelReportDto, FunnelReportRequestDto, ReportFormatQueryDto } from './funnel.dto';
import { PathsQueryDto, PathsReportDto } from './paths.dto';
import { RetentionQueryDto, RetentionReportDto } from './retention.dto';

const SCOPED =
  'Counts the events of the social accounts your analytics scope covers (and events of no account ' +
  'with an organization-wide scope); `socialAccountId` out of reach answers 404. Periods are local ' +
  "days of the organization's time zone.";

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/reports')
export class BehaviourReportsController {
  constructor(private readonly reports: BehaviourReportsService) {}

  @Post('funnel')
  @HttpCode(200)
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getFunnelReport',
    summary: 'An ad hoc funnel: people per step, conversion, drop-off and the median time between steps',
    description:
      'A POST because the query is a document (ordered steps with property filters) that does not fit a ' +
      'query string; it changes nothing and may be repeated freely. Save a definition as a funnel ' +
      `(\`…/analytics/funnels\`) to run it by id. ${SCOPED}`,
  })
  @ReportEndpoint(FunnelReportDto, 'The funnel')
  @ApiProblems(400)
  getFunnelReport(
    @Scope() scope: DataScope,
    @Query() query: ReportFormatQueryDto,
    @Body() body: FunnelReportRequestDto,
  ): Promise<ReportAnswer<FunnelReportDto>> {
    return this.reports.funnel(scope, body, body);
  }

  @Get('paths')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getPathsReport',
    summary: 'The most frequent steps people took after (or before) an event, per level',
    description: `Page paths are cleaned by the organization's path rules first (\`…/analytics/path-rules\`). ${SCOPED}`,
  })
  @ReportEndpoint(PathsReportDto, 'The paths')
  @ApiProblems(400)
  getPathsReport(
    @Scope() scope: DataScope,
    @Query() query: PathsQueryDto,
  ): Promise<ReportAnswer<PathsReportDto>> {
    return this.reports.paths(scope, query);
  }

  @Get('retention')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getRetentionReport',
    summary: 'Cohorts by first activity in the period, and the share of each active in every later period',
    description: `A triangle: CSV one row per cohort, SVG a heatmap. ${SCOPED}`,
  })
  @ReportEndpoint(RetentionReportDto, 'The retention triangle')
  @ApiProblems(400)
  getRetentionReport(
    @Scope() scope: DataScope,
    @Query() query: RetentionQueryDto,
  ): Promise<ReportAnswer<RetentionReportDto>> {
    return this.reports.retention(scope, query);
  }
}
