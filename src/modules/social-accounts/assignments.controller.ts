import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { AssignmentDto, AssignmentListDto, CreateAssignmentDto } from './assignment.dto';
import { AssignmentsService } from './assignments.service';

@ApiTags('social-accounts')
@Controller('orgs/:orgId/social-accounts/:accountId/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get()
  @Authorize({ permission: 'social-accounts:read' })
  @ApiOperation({
    operationId: 'listAccountAssignments',
    summary: "The agency's assignments of an authorized account that your scope covers",
  })
  @ApiOkResponse({ type: AssignmentListDto })
  @ApiProblems(400, 422)
  listAccountAssignments(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
  ): Promise<AssignmentListDto> {
    return this.assignments.list(scope, accountId);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'assignments:manage' })
  @ApiOperation({
    operationId: 'assignAccount',
    summary: 'Assign an authorized account to a unit, or to one member, of the agency',
    description:
      'Needs an active authorization for the account and a scope covering the unit (and member). ' +
      'The same assignment twice is 409 `duplicate`.',
  })
  @ApiCreatedResponse({ type: AssignmentDto })
  @ApiProblems(400, 409, 422)
  assignAccount(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: CreateAssignmentDto,
  ): Promise<AssignmentDto> {
    return this.assignments.create(actor, scope, accountId, dto);
  }

  @Delete(':assignmentId')
  @HttpCode(204)
  @Authorize({ permission: 'assignments:manage' })
  @ApiOperation({ operationId: 'unassignAccount', summary: 'Remove an assignment; its members stop at once' })
  @ApiProblems(400, 422)
  async unassignAccount(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Param('assignmentId', uuidParam('assignmentId')) assignmentId: string,
  ): Promise<void> {
    await this.assignments.remove(actor, scope, accountId, assignmentId);
  }
}
