import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor } from '../access/authorize.decorator';
import { loadContent, toContentDto } from './content-row';
import { ContentDto, CorrectContentDto, EditorialDto, PlatformListContentsQueryDto } from './content.dto';
import { ContentsService } from './contents.service';
import { EditorialService } from './editorial.service';
import {
  DecideRestoreRequestDto,
  ListRestoreRequestsQueryDto,
  RemoveContentDto,
  RestoreRequestDto,
} from './removal.dto';
import { RemovalsService } from './removals.service';

const RestoreRequestPageDto = PageOf(RestoreRequestDto);
const ContentPageDto = PageOf(ContentDto);

@ApiTags('content')
@Controller('platform/contents')
export class PlatformContentSearchController {
  constructor(
    private readonly contents: ContentsService,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Authorize({ permission: 'platform:content:read' })
  @ApiOperation({
    operationId: 'listPlatformContents',
    summary: "Any organization's content, newest first, to review, correct or remove it",
    description:
      'Filters: orgId, state, kind, category, channel, ownerId, accountId, q (title). Sort: createdAt, updatedAt.',
  })
  @ApiOkResponse({ type: ContentPageDto })
  @ApiProblems(400)
  listPlatformContents(@Query() query: PlatformListContentsQueryDto): Promise<Page<ContentDto>> {
    return this.contents.listForPlatform(query);
  }

  @Get(':contentId')
  @Authorize({ permission: 'platform:content:read' })
  @ApiOperation({
    operationId: 'getPlatformContent',
    summary: 'One content of any organization, with its ETag',
  })
  @ApiOkWithEtag(ContentDto)
  @ApiProblems(400)
  async getPlatformContent(
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<Versioned<ContentDto>> {
    const row = await loadContent(this.dataSource.manager, contentId);
    return new Versioned(toContentDto(row, this.clock.now()), row.version);
  }
}

@ApiTags('content')
@Controller('platform/contents/:contentId')
export class PlatformContentsController {
  constructor(
    private readonly contents: ContentsService,
    private readonly editorial: EditorialService,
    private readonly removals: RemovalsService,
  ) {}

  @Patch()
  @Authorize({ permission: 'platform:content:edit' })
  @ApiOperation({
    operationId: 'correctContent',
    summary: "Correct any organization's content as a platform editor (kept as a revision)",
    description: 'Correcting approved or published text sends it through review again.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(ContentDto)
  @ApiProblems(400, 409, 412)
  correctContent(
    @CurrentActor() actor: Actor,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Body() dto: CorrectContentDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<ContentDto>> {
    return this.contents.correctAsPlatform(actor, contentId, dto, ifMatch);
  }

  @Post('editorial')
  @HttpCode(200)
  @Authorize({ permission: 'platform:content:edit' })
  @ApiOperation({
    operationId: 'setContentEditorial',
    summary: 'Set category and sort weight, recommend, pin (置顶, optionally until a time) or feature (加精)',
  })
  @ApiOkResponse({ type: ContentDto })
  @ApiProblems(400)
  setContentEditorial(
    @CurrentActor() actor: Actor,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Body() dto: EditorialDto,
  ): Promise<ContentDto> {
    return this.editorial.apply(actor, contentId, dto);
  }

  @Post('removal')
  @HttpCode(200)
  @Authorize({ permission: 'platform:content:remove' })
  @ApiOperation({
    operationId: 'removeContent',
    summary: 'Remove published content with a reason code and a note; it is kept and the author told',
    description:
      'Reason codes: breaks_law_or_rules, private_data_or_trade_secret, false_misleading_or_unverified, ' +
      'vulgar_violent_terror_pornographic. Only published or restored content can be removed (409 otherwise).',
  })
  @ApiOkResponse({ type: ContentDto })
  @ApiProblems(400, 409)
  removeContent(
    @CurrentActor() actor: Actor,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Body() dto: RemoveContentDto,
  ): Promise<ContentDto> {
    return this.removals.remove(actor, contentId, dto);
  }
}

@ApiTags('content')
@Controller('platform/restore-requests')
export class PlatformRestoreRequestsController {
  constructor(private readonly removals: RemovalsService) {}

  @Get()
  @Authorize({ permission: 'platform:content:restore' })
  @ApiOperation({
    operationId: 'listRestoreRequests',
    summary: 'Restore requests, oldest first (pending by default)',
  })
  @ApiOkResponse({ type: RestoreRequestPageDto })
  @ApiProblems(400)
  listRestoreRequests(@Query() query: ListRestoreRequestsQueryDto): Promise<Page<RestoreRequestDto>> {
    return this.removals.listForPlatform(query);
  }

  @Post(':requestId/decision')
  @HttpCode(200)
  @Authorize({ permission: 'platform:content:restore' })
  @ApiOperation({
    operationId: 'decideRestoreRequest',
    summary: 'Approve or reject a restore request; approval re-runs automatic review first',
    description: 'If automatic review blocks the text, the request ends rejected with the findings.',
  })
  @ApiOkResponse({ type: RestoreRequestDto })
  @ApiProblems(400, 409)
  decideRestoreRequest(
    @CurrentActor() actor: Actor,
    @Param('requestId', uuidParam('requestId')) requestId: string,
    @Body() dto: DecideRestoreRequestDto,
  ): Promise<RestoreRequestDto> {
    return this.removals.decide(actor, requestId, dto);
  }
}
