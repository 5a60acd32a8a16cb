import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../../platform/http/pagination';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { ReportAnswer, ReportEndpoint } from '../../../platform/reports';
import { Actor } from '../../access/actor';
import { Authorize, CurrentActor, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { AnalyticsReportQueryDto } from '../report-scope';
import { BehaviourReportsService } from './behaviour-reports.service';
import { CreateFunnelDto, FunnelDto, FunnelReportDto, UpdateFunnelDto } from './funnel.dto';
import { FunnelsService } from './funnels.service';

const FunnelPageDto = PageOf(FunnelDto);
const ORG_WIDE =
  'Funnels are organization-wide definitions: changing one needs `analytics:manage` with organization scope.';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/funnels')
export class FunnelsController {
  constructor(
    private readonly funnels: FunnelsService,
    private readonly reports: BehaviourReportsService,
  ) {}

  @Get()
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({ operationId: 'listFunnels', summary: "The organization's saved funnels, newest first" })
  @ApiOkResponse({ type: FunnelPageDto })
  @ApiProblems(400)
  listFunnels(@Scope() scope: DataScope, @Query() query: PageQueryDto): Promise<Page<FunnelDto>> {
    return this.funnels.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({ operationId: 'createFunnel', summary: 'Save a funnel definition', description: ORG_WIDE })
  @ApiCreatedResponse({ type: FunnelDto })
  @ApiProblems(400, 409)
  createFunnel(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateFunnelDto,
  ): Promise<Versioned<FunnelDto>> {
    return this.funnels.create(actor, scope, dto);
  }

  @Get(':funnelId')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({ operationId: 'getFunnel', summary: 'One saved funnel, with its ETag' })
  @ApiOkWithEtag(FunnelDto)
  @ApiProblems(400)
  getFunnel(
    @Scope() scope: DataScope,
    @Param('funnelId', uuidParam('funnelId')) funnelId: string,
  ): Promise<Versioned<FunnelDto>> {
    return this.funnels.get(scope, funnelId);
  }

  @Patch(':funnelId')
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'updateFunnel',
    summary: 'Rename a funnel or change its steps or window',
    description: ORG_WIDE,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(FunnelDto)
  @ApiProblems(400, 409, 412)
  updateFunnel(
    @Scope() scope: DataScope,
    @Param('funnelId', uuidParam('funnelId')) funnelId: string,
    @Body() dto: UpdateFunnelDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<FunnelDto>> {
    return this.funnels.update(scope, funnelId, dto, ifMatch);
  }

  @Delete(':funnelId')
  @HttpCode(204)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({ operationId: 'deleteFunnel', summary: 'Delete a saved funnel', description: ORG_WIDE })
  @ApiProblems(400)
  async deleteFunnel(
    @Scope() scope: DataScope,
    @Param('funnelId', uuidParam('funnelId')) funnelId: string,
  ): Promise<void> {
    await this.funnels.remove(scope, funnelId);
  }

  @Get(':funnelId/report')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getSavedFunnelReport',
    summary: "A saved funnel's report over a period, in your analytics scope",
  })
  @ReportEndpoint(FunnelReportDto, 'The funnel')
  @ApiProblems(400)
  async getSavedFunnelReport(
    @Scope() scope: DataScope,
    @Param('funnelId', uuidParam('funnelId')) funnelId: string,
    @Query() query: AnalyticsReportQueryDto,
  ): Promise<ReportAnswer<FunnelReportDto>> {
    const { body } = await this.funnels.get(scope, funnelId);
    return this.reports.funnel(scope, body, query, body.name);
  }
}
