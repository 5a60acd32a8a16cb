import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { ReportAnswer, ReportEndpoint } from '../../platform/reports';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  BacklogReportDto,
  DurationReportDto,
  DurationReportQueryDto,
  ServiceReportQueryDto,
  ServiceSeriesQueryDto,
  SlaAttainmentReportDto,
  VolumeReportDto,
} from './service-report.dto';
import { ServiceReportsService } from './service-reports.service';

const COMMON =
  '`from`/`to` are local days in the organization’s time zone, both inclusive (default: the 30 days up to ' +
  'today; at most 366 days, else 400 on `to`). Counts only tickets your `tickets:supervise` scope covers (by the ' +
  'ticket’s unit, or assigned to you with a self scope), narrowed by `type`, `channel`, `priority`, `unitId` ' +
  '(that queue) and `agentId` (the assignee). `?format=csv` answers the same numbers, `?format=svg` a chart. ' +
  'Definitions: docs/service-reports.md.';
const DURATIONS =
  'Count, nearest-rank median and p90 in working minutes (on the ticket’s SLA calendar, pauses excluded) and ' +
  'in wall-clock minutes (pauses included), per `interval` bucket, and per `groupBy` (agent, unit, type) when asked.';

@ApiTags('service-reports')
@Controller('orgs/:orgId/service-reports')
export class ServiceReportsController {
  constructor(private readonly reports: ServiceReportsService) {}

  @Get('first-response')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'getFirstResponseReport',
    summary: 'First-response times of tickets first answered in the period',
    description: `A ticket counts in the bucket of its first public reply by a member. ${DURATIONS} ${COMMON}`,
  })
  @ReportEndpoint(DurationReportDto, 'First-response times')
  @ApiProblems(400, 403)
  getFirstResponseReport(
    @Scope() scope: DataScope,
    @Query() query: DurationReportQueryDto,
  ): Promise<ReportAnswer<DurationReportDto>> {
    return this.reports.durations(scope, query, 'first_response');
  }

  @Get('resolution')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'getResolutionReport',
    summary: 'Resolution times of tickets resolved in the period',
    description:
      'A ticket counts in the bucket of its last resolution when it is resolved or closed now (a reopened ' +
      `ticket counts again once resolved again). ${DURATIONS} ${COMMON}`,
  })
  @ReportEndpoint(DurationReportDto, 'Resolution times')
  @ApiProblems(400, 403)
  getResolutionReport(
    @Scope() scope: DataScope,
    @Query() query: DurationReportQueryDto,
  ): Promise<ReportAnswer<DurationReportDto>> {
    return this.reports.durations(scope, query, 'resolution');
  }

  @Get('sla-attainment')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'getSlaAttainmentReport',
    summary: 'SLA attainment per policy and target, breaches and escalations in the period',
    description:
      'Per policy applied: first-response and resolution targets met and breached in the period and the ' +
      'attainment (met / decided, null when none was decided), every breach recorded (next response included), ' +
      `and escalations (manual by members, automatic by the breach sweep). ${COMMON}`,
  })
  @ReportEndpoint(SlaAttainmentReportDto, 'SLA attainment')
  @ApiProblems(400, 403)
  getSlaAttainmentReport(
    @Scope() scope: DataScope,
    @Query() query: ServiceReportQueryDto,
  ): Promise<ReportAnswer<SlaAttainmentReportDto>> {
    return this.reports.slaAttainment(scope, query);
  }

  @Get('backlog')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'getBacklogReport',
    summary: 'Open tickets at the end of the period, by age and state',
    description:
      'Tickets created before the end of the period (or now, when that is still to come) and neither resolved ' +
      'nor closed then, by the state they were in then and by age: < 1 day, 1–3 days, 3–7 days, > 7 days. ' +
      COMMON,
  })
  @ReportEndpoint(BacklogReportDto, 'Backlog')
  @ApiProblems(400, 403)
  getBacklogReport(
    @Scope() scope: DataScope,
    @Query() query: ServiceReportQueryDto,
  ): Promise<ReportAnswer<BacklogReportDto>> {
    return this.reports.backlog(scope, query);
  }

  @Get('volume')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'getTicketVolumeReport',
    summary: 'Tickets created in the period, by type and by channel per interval',
    description: `Every bucket of the period is listed, empty ones with zeros. ${COMMON}`,
  })
  @ReportEndpoint(VolumeReportDto, 'Ticket volume')
  @ApiProblems(400, 403)
  getTicketVolumeReport(
    @Scope() scope: DataScope,
    @Query() query: ServiceSeriesQueryDto,
  ): Promise<ReportAnswer<VolumeReportDto>> {
    return this.reports.volume(scope, query);
  }
}
