import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  DecideReviewTaskDto,
  ListReviewTasksQueryDto,
  ReviewTaskDetailDto,
  ReviewTaskDto,
} from './review-task.dto';
import { ReviewDesk, ReviewTasksService } from './review-tasks.service';

const ReviewTaskPageDto = PageOf(ReviewTaskDto);
const PLATFORM: ReviewDesk = { level: 'platform' };
const DECISION_DOC =
  'Approve, or reject with a reason code (illegal, privacy_or_trade_secret, false_or_misleading, ' +
  'vulgar_violent_terror_pornographic, advertising, attack_insult_defamation, other — `other` needs a note). ' +
  'A task decided meanwhile, or claimed by another reviewer, answers 409.';

@ApiTags('content')
@Controller('orgs/:orgId/review-tasks')
export class OrganizationReviewTasksController {
  constructor(private readonly tasks: ReviewTasksService) {}

  @Get()
  @Authorize({ permission: 'content:review' })
  @ApiOperation({
    operationId: 'listOrganizationReviewTasks',
    summary: "The organization's own review queue within your scope, oldest first",
  })
  @ApiOkResponse({ type: ReviewTaskPageDto })
  @ApiProblems(400)
  listOrganizationReviewTasks(
    @Scope() scope: DataScope,
    @Query() query: ListReviewTasksQueryDto,
  ): Promise<Page<ReviewTaskDto>> {
    return this.tasks.list({ level: 'organization', scope }, query);
  }

  @Get(':taskId')
  @Authorize({ permission: 'content:review' })
  @ApiOperation({
    operationId: 'getOrganizationReviewTask',
    summary: "A task with the content, its findings, its history and the author's previous rejections",
  })
  @ApiOkResponse({ type: ReviewTaskDetailDto })
  @ApiProblems(400)
  getOrganizationReviewTask(
    @Scope() scope: DataScope,
    @Param('taskId', uuidParam('taskId')) taskId: string,
  ): Promise<ReviewTaskDetailDto> {
    return this.tasks.detail({ level: 'organization', scope }, taskId);
  }

  @Post(':taskId/claim')
  @HttpCode(200)
  @Authorize({ permission: 'content:review' })
  @ApiOperation({
    operationId: 'claimOrganizationReviewTask',
    summary: 'Lock the task to yourself for REVIEW_CLAIM_MINUTES',
  })
  @ApiOkResponse({ type: ReviewTaskDto })
  @ApiProblems(400, 409)
  claimOrganizationReviewTask(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('taskId', uuidParam('taskId')) taskId: string,
  ): Promise<ReviewTaskDto> {
    return this.tasks.claim(actor, { level: 'organization', scope }, taskId);
  }

  @Post(':taskId/decision')
  @HttpCode(200)
  @Authorize({ permission: 'content:review' })
  @ApiOperation({
    operationId: 'decideOrganizationReviewTask',
    summary: 'Decide a task; an approval passes the content on to the platform review',
    description: DECISION_DOC,
  })
  @ApiOkResponse({ type: ReviewTaskDto })
  @ApiProblems(400, 409)
  decideOrganizationReviewTask(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('taskId', uuidParam('taskId')) taskId: string,
    @Body() dto: DecideReviewTaskDto,
  ): Promise<ReviewTaskDto> {
    return this.tasks.decide(actor, { level: 'organization', scope }, taskId, dto);
  }
}

@ApiTags('content')
@Controller('platform/review-tasks')
export class PlatformReviewTasksController {
  constructor(private readonly tasks: ReviewTasksService) {}

  @Get()
  @Authorize({ permission: 'platform:content:review' })
  @ApiOperation({
    operationId: 'listPlatformReviewTasks',
    summary: "The platform's review queue, oldest first",
  })
  @ApiOkResponse({ type: ReviewTaskPageDto })
  @ApiProblems(400)
  listPlatformReviewTasks(@Query() query: ListReviewTasksQueryDto): Promise<Page<ReviewTaskDto>> {
    return this.tasks.list(PLATFORM, query);
  }

  @Get(':taskId')
  @Authorize({ permission: 'platform:content:review' })
  @ApiOperation({
    operationId: 'getPlatformReviewTask',
    summary: "A task with the content, its findings, its history and the author's previous rejections",
  })
  @ApiOkResponse({ type: ReviewTaskDetailDto })
  @ApiProblems(400)
  getPlatformReviewTask(@Param('taskId', uuidParam('taskId')) taskId: string): Promise<ReviewTaskDetailDto> {
    return this.tasks.detail(PLATFORM, taskId);
  }

  @Post(':taskId/claim')
  @HttpCode(200)
  @Authorize({ permission: 'platform:content:review' })
  @ApiOperation({ operationId: 'claimPlatformReviewTask', summary: 'Lock the task to yourself for a while' })
  @ApiOkResponse({ type: ReviewTaskDto })
  @ApiProblems(400, 409)
  claimPlatformReviewTask(
    @CurrentActor() actor: Actor,
    @Param('taskId', uuidParam('taskId')) taskId: string,
  ): Promise<ReviewTaskDto> {
    return this.tasks.claim(actor, PLATFORM, taskId);
  }

  @Post(':taskId/decision')
  @HttpCode(200)
  @Authorize({ permission: 'platform:content:review' })
  @ApiOperation({
    operationId: 'decidePlatformReviewTask',
    summary: 'Decide a task; an approval approves the content for publishing',
    description: DECISION_DOC,
  })
  @ApiOkResponse({ type: ReviewTaskDto })
  @ApiProblems(400, 409)
  decidePlatformReviewTask(
    @CurrentActor() actor: Actor,
    @Param('taskId', uuidParam('taskId')) taskId: string,
    @Body() dto: DecideReviewTaskDto,
  ): Promise<ReviewTaskDto> {
    return this.tasks.decide(actor, PLATFORM, taskId, dto);
  }
}
