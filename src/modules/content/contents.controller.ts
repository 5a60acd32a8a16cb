import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { contentHistory } from './content-events';
import { contentInScope } from './content-lookup';
import { listRevisions } from './content-revisions';
import {
  ContentDto,
  ContentRevisionDto,
  CreateContentDto,
  ListContentsQueryDto,
  SubmitResultDto,
  UpdateContentDto,
} from './content.dto';
import { ContentsService } from './contents.service';
import { CreateRestoreRequestDto, RestoreRequestDto } from './removal.dto';
import { RemovalsService } from './removals.service';
import { ContentEventDto } from './review-task.dto';

const ContentPageDto = PageOf(ContentDto);

@ApiTags('content')
@Controller('orgs/:orgId/contents')
export class ContentsController {
  constructor(
    private readonly contents: ContentsService,
    private readonly removals: RemovalsService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Authorize({ permission: 'content:read' })
  @ApiOperation({
    operationId: 'listContents',
    summary: "The organization's content within your scope (by unit, or your own with a self scope)",
    description:
      'Filters: state, kind, category, ownerId, accountId. Sort: createdAt (default newest first), updatedAt.',
  })
  @ApiOkResponse({ type: ContentPageDto })
  @ApiProblems(400)
  listContents(@Scope() scope: DataScope, @Query() query: ListContentsQueryDto): Promise<Page<ContentDto>> {
    return this.contents.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'content:write' })
  @Idempotent()
  @ApiOperation({
    operationId: 'createContent',
    summary: 'Write a draft for one of the platform channels or a social account',
    description:
      'Targeting a social account needs `content:publish` covering where it is assigned (422 ' +
      '`reference_not_found` otherwise, as for an unknown account) and, for an agency, an active ' +
      '`publish` authorization (403 `authorization_scope_missing` otherwise).',
  })
  @ApiCreatedResponse({ type: ContentDto })
  @ApiProblems(400, 409, 422)
  createContent(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateContentDto,
  ): Promise<Versioned<ContentDto>> {
    return this.contents.create(actor, scope, dto);
  }

  @Get(':contentId')
  @Authorize({ permission: 'content:read' })
  @ApiOperation({ operationId: 'getContent', summary: 'One content, with its ETag for a later If-Match' })
  @ApiOkWithEtag(ContentDto)
  @ApiProblems(400)
  getContent(
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<Versioned<ContentDto>> {
    return this.contents.get(scope, contentId);
  }

  @Patch(':contentId')
  @Authorize({ permission: 'content:write' })
  @ApiOperation({
    operationId: 'updateContent',
    summary: 'Edit content; every text change is a revision',
    description:
      'Editing approved or published text sends it through automatic and manual review again. Content ' +
      'under review or removed cannot be edited (409 `invalid_state` with `currentState`).',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(ContentDto)
  @ApiProblems(400, 409, 412, 422)
  updateContent(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Body() dto: UpdateContentDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<ContentDto>> {
    return this.contents.update(actor, scope, contentId, dto, ifMatch);
  }

  @Delete(':contentId')
  @HttpCode(204)
  @Authorize({ permission: 'content:write' })
  @ApiOperation({ operationId: 'deleteContent', summary: 'Delete a draft or rejected content' })
  @ApiProblems(400, 409)
  async deleteContent(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<void> {
    await this.contents.delete(actor, scope, contentId);
  }

  @Post(':contentId/submit')
  @HttpCode(200)
  @Authorize({ permission: 'content:write' })
  @ApiOperation({
    operationId: 'submitContent',
    summary: 'Submit for review: automatic review runs now and its findings come back',
    description:
      'A `block` finding rejects at once (fix and resubmit); otherwise the content goes to the ' +
      "organization's review, the platform's, or straight to approved when the policy lets low-risk content skip it.",
  })
  @ApiOkResponse({ type: SubmitResultDto })
  @ApiProblems(400, 409)
  submitContent(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<SubmitResultDto> {
    return this.contents.submit(actor, scope, contentId);
  }

  @Post(':contentId/publish-retry')
  @HttpCode(200)
  @Authorize({ permission: 'content:publish' })
  @ApiOperation({
    operationId: 'retryContentPublishing',
    summary: 'Send content whose publishing failed round again (back to approved, attempts reset)',
    description:
      'Only from `publish_failed` (409 otherwise). For a social account the access rule of creating applies ' +
      'again: `content:publish` covering where the account is assigned (422 `reference_not_found` otherwise) ' +
      'and, for an agency, an active `publish` authorization (403 `authorization_scope_missing` otherwise). ' +
      'The attempts are listed under `publish-attempts`.',
  })
  @ApiOkWithEtag(ContentDto)
  @ApiProblems(400, 409, 422)
  retryContentPublishing(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<Versioned<ContentDto>> {
    return this.contents.retryPublishing(actor, scope, contentId);
  }

  @Get(':contentId/history')
  @Authorize({ permission: 'content:read' })
  @ApiOperation({
    operationId: 'getContentHistory',
    summary: 'Every state change with who, why and findings',
  })
  @ApiOkResponse({ type: ContentEventDto, isArray: true })
  @ApiProblems(400)
  async getContentHistory(
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<ContentEventDto[]> {
    await contentInScope(this.dataSource.manager, scope, contentId);
    return contentHistory(this.dataSource.manager, contentId);
  }

  @Get(':contentId/revisions')
  @Authorize({ permission: 'content:read' })
  @ApiOperation({
    operationId: 'listContentRevisions',
    summary: 'Every revision of the text, newest first, with whose hand it was',
  })
  @ApiOkResponse({ type: ContentRevisionDto, isArray: true })
  @ApiProblems(400)
  async listContentRevisions(
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<ContentRevisionDto[]> {
    await contentInScope(this.dataSource.manager, scope, contentId);
    return listRevisions(this.dataSource.manager, contentId);
  }

  @Post(':contentId/restore-requests')
  @HttpCode(201)
  @Authorize({ permission: 'content:write' })
  @ApiOperation({
    operationId: 'requestContentRestore',
    summary: 'Ask the platform to restore removed content, with a justification',
    description:
      'Allowed until CONTENT_RESTORE_WINDOW_DAYS (default 30) after the removal; later is 422. One pending ' +
      'request at a time (409 `duplicate`).',
  })
  @ApiCreatedResponse({ type: RestoreRequestDto })
  @ApiProblems(400, 409, 422)
  requestContentRestore(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Body() dto: CreateRestoreRequestDto,
  ): Promise<RestoreRequestDto> {
    return this.removals.requestRestore(actor, scope, contentId, dto);
  }

  @Get(':contentId/restore-requests')
  @Authorize({ permission: 'content:read' })
  @ApiOperation({
    operationId: 'listContentRestoreRequests',
    summary: "A content's restore requests, newest first",
  })
  @ApiOkResponse({ type: RestoreRequestDto, isArray: true })
  @ApiProblems(400)
  listContentRestoreRequests(
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
  ): Promise<RestoreRequestDto[]> {
    return this.removals.listForContent(scope, contentId);
  }
}
