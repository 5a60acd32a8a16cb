import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, IntersectionType } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../../platform/http/pagination';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Actor } from '../../access/actor';
import { Authorize, CurrentActor, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import {
  ApplyOptimizationDto,
  CreateGoalDto,
  GoalApplicationDto,
  GoalDto,
  GoalListQueryDto,
  GoalSummaryDto,
  UpdateGoalDto,
} from './goal.dto';
import { GoalsService } from './goals.service';

const GoalPageDto = PageOf(GoalSummaryDto);
class GoalPageQueryDto extends IntersectionType(PageQueryDto, GoalListQueryDto) {}

const VISIBLE =
  'A goal is visible when your data scope covers its unit (or you own it) and you may read analytics for every ' +
  'account it measures; otherwise 404.';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/optimization-goals')
export class GoalsController {
  constructor(private readonly goals: GoalsService) {}

  @Get()
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'listOptimizationGoals',
    summary: 'Optimization goals, newest first',
    description: VISIBLE,
  })
  @ApiOkResponse({ type: GoalPageDto })
  @ApiProblems(400)
  listOptimizationGoals(
    @Scope() scope: DataScope,
    @Query() query: GoalPageQueryDto,
  ): Promise<Page<GoalSummaryDto>> {
    return this.goals.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'createOptimizationGoal',
    summary: 'Set an optimization goal: a daily metric, filters, a baseline window, a target and a deadline',
    description:
      'The accounts measured are those your scope reads analytics for when the goal is made (narrowed by ' +
      '`filters.socialAccountId`); the baseline mean is computed then, and the direction (increase or ' +
      'decrease) follows from the target. The deadline job judges the goal achieved or missed once.',
  })
  @ApiCreatedResponse({ type: GoalDto })
  @ApiProblems(400, 422)
  createOptimizationGoal(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateGoalDto,
  ): Promise<Versioned<GoalDto>> {
    return this.goals.create(actor, scope, dto);
  }

  @Get(':goalId')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getOptimizationGoal',
    summary: 'One goal with its baseline, progress and the before/after of every optimization applied',
    description: VISIBLE,
  })
  @ApiOkWithEtag(GoalDto)
  @ApiProblems(400)
  getOptimizationGoal(
    @Scope() scope: DataScope,
    @Param('goalId', uuidParam('goalId')) goalId: string,
  ): Promise<Versioned<GoalDto>> {
    return this.goals.get(scope, goalId);
  }

  @Patch(':goalId')
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'updateOptimizationGoal',
    summary: 'Rename a goal, move its target or deadline (while active), or change its owner',
    description: VISIBLE,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(GoalDto)
  @ApiProblems(400, 409, 412, 422)
  updateOptimizationGoal(
    @Scope() scope: DataScope,
    @Param('goalId', uuidParam('goalId')) goalId: string,
    @Body() dto: UpdateGoalDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<GoalDto>> {
    return this.goals.update(scope, goalId, dto, ifMatch);
  }

  @Delete(':goalId')
  @HttpCode(204)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'deleteOptimizationGoal',
    summary: 'Delete a goal and its applications',
    description: VISIBLE,
  })
  @ApiProblems(400)
  async deleteOptimizationGoal(
    @Scope() scope: DataScope,
    @Param('goalId', uuidParam('goalId')) goalId: string,
  ): Promise<void> {
    await this.goals.remove(scope, goalId);
  }

  @Post(':goalId/applied')
  @HttpCode(201)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'markOptimizationApplied',
    summary: 'Record that an optimization went live at a time; answers its before/after comparison',
    description:
      'The comparison is recomputed on every read of the goal: same-length windows before the applied day and ' +
      'from it on (the baseline length, fewer while days are still coming in), their means and the change, ' +
      'significant when |change| > 2 × the standard deviation of the baseline’s weekly means. ' +
      VISIBLE,
  })
  @ApiCreatedResponse({ type: GoalApplicationDto })
  @ApiProblems(400)
  markOptimizationApplied(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('goalId', uuidParam('goalId')) goalId: string,
    @Body() dto: ApplyOptimizationDto,
  ): Promise<GoalApplicationDto> {
    return this.goals.apply(actor, scope, goalId, dto);
  }
}
