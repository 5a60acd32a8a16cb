import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../../platform/http/pagination';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Actor } from '../../access/actor';
import { Authorize, CurrentActor, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import {
  AnalyticsSegmentDto,
  AnalyticsSegmentSizeDto,
  CreateAnalyticsSegmentDto,
  SegmentSizeQueryDto,
  UpdateAnalyticsSegmentDto,
} from './segment.dto';
import { AnalyticsSegmentsService } from './segments.service';

const SegmentPageDto = PageOf(AnalyticsSegmentDto);
const VISIBLE = 'A segment outside your data scope (its unit, or yours when your scope is self) answers 404.';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/segments')
export class AnalyticsSegmentsController {
  constructor(private readonly segments: AnalyticsSegmentsService) {}

  @Get()
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'listAnalyticsSegments',
    summary: 'Analytics segments (people), newest first',
  })
  @ApiOkResponse({ type: SegmentPageDto })
  @ApiProblems(400)
  listAnalyticsSegments(
    @Scope() scope: DataScope,
    @Query() query: PageQueryDto,
  ): Promise<Page<AnalyticsSegmentDto>> {
    return this.segments.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'createAnalyticsSegment',
    summary: 'Save a segment: a rule over people’s events, properties, devices and channels',
    description: 'The rule is validated (shape, 4 levels, 20 conditions): 400 naming the part that is wrong.',
  })
  @ApiCreatedResponse({ type: AnalyticsSegmentDto })
  @ApiProblems(400, 409, 422)
  createAnalyticsSegment(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateAnalyticsSegmentDto,
  ): Promise<Versioned<AnalyticsSegmentDto>> {
    return this.segments.create(actor, scope, dto);
  }

  @Get(':segmentId')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getAnalyticsSegment',
    summary: 'One analytics segment, with its ETag',
    description: VISIBLE,
  })
  @ApiOkWithEtag(AnalyticsSegmentDto)
  @ApiProblems(400)
  getAnalyticsSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
  ): Promise<Versioned<AnalyticsSegmentDto>> {
    return this.segments.get(scope, segmentId);
  }

  @Patch(':segmentId')
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'updateAnalyticsSegment',
    summary: 'Rename a segment or change its rule or lookback',
    description: VISIBLE,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(AnalyticsSegmentDto)
  @ApiProblems(400, 409, 412)
  updateAnalyticsSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
    @Body() dto: UpdateAnalyticsSegmentDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<AnalyticsSegmentDto>> {
    return this.segments.update(scope, segmentId, dto, ifMatch);
  }

  @Delete(':segmentId')
  @HttpCode(204)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'deleteAnalyticsSegment',
    summary: 'Delete an analytics segment',
    description: VISIBLE,
  })
  @ApiProblems(400)
  async deleteAnalyticsSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
  ): Promise<void> {
    await this.segments.remove(scope, segmentId);
  }

  @Get(':segmentId/size')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getAnalyticsSegmentSize',
    summary: 'How many people match the segment now',
    description:
      'Counted over the events your scope may count (the accounts you read analytics for; events of no account ' +
      'only with organization scope), narrowed by the filters. ' +
      VISIBLE,
  })
  @ApiOkResponse({ type: AnalyticsSegmentSizeDto })
  @ApiProblems(400)
  getAnalyticsSegmentSize(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
    @Query() query: SegmentSizeQueryDto,
  ): Promise<AnalyticsSegmentSizeDto> {
    return this.segments.size(scope, segmentId, query);
  }
}
