import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  CompleteFollowUpDto,
  CreateTicketStepDto,
  FollowUpDto,
  ListFollowUpsQueryDto,
  TicketStepDto,
  UpdateTicketStepDto,
} from './after-sales.dto';
import { AfterSalesService } from './after-sales.service';

const FollowUpPageDto = PageOf(FollowUpDto);

@ApiTags('tickets')
@Controller('orgs/:orgId/tickets/:ticketId/steps')
export class TicketStepsController {
  constructor(private readonly afterSales: AfterSalesService) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'listTicketSteps', summary: "An after-sales ticket's checklist, in order" })
  @ApiOkResponse({ type: TicketStepDto, isArray: true })
  @ApiProblems(400)
  listTicketSteps(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<TicketStepDto[]> {
    return this.afterSales.listSteps(scope, ticketId);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'addTicketStep',
    summary: 'Add a step (receive item, inspect, repair/replace/refund, ship back…) with who and by when',
    description: 'After-sales tickets only (422 otherwise); the responsible must be a member (422).',
  })
  @ApiCreatedResponse({ type: TicketStepDto })
  @ApiProblems(400, 409, 422)
  addTicketStep(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: CreateTicketStepDto,
  ): Promise<TicketStepDto> {
    return this.afterSales.addStep(scope, ticketId, dto);
  }

  @Patch(':stepId')
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({ operationId: 'updateTicketStep', summary: 'Edit a step or mark it done' })
  @ApiOkResponse({ type: TicketStepDto })
  @ApiProblems(400, 409, 422)
  updateTicketStep(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Param('stepId', uuidParam('stepId')) stepId: string,
    @Body() dto: UpdateTicketStepDto,
  ): Promise<TicketStepDto> {
    return this.afterSales.updateStep(actor, scope, ticketId, stepId, dto);
  }
}

@ApiTags('tickets')
@Controller('orgs/:orgId/ticket-follow-ups')
export class TicketFollowUpsController {
  constructor(private readonly afterSales: AfterSalesService) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'listTicketFollowUps',
    summary: 'Follow-ups of resolved after-sales tickets (default: open ones, earliest due first)',
    description:
      "Within your scope: by the ticket's unit, or your own with a self scope. Filter: status, assigneeId.",
  })
  @ApiOkResponse({ type: FollowUpPageDto })
  @ApiProblems(400)
  listTicketFollowUps(
    @Scope() scope: DataScope,
    @Query() query: ListFollowUpsQueryDto,
  ): Promise<Page<FollowUpDto>> {
    return this.afterSales.listFollowUps(scope, query);
  }

  @Post(':followUpId/complete')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'completeTicketFollowUp',
    summary: 'Record that the customer was contacted and whether the problem is solved',
    description: 'Only an open follow-up (409 otherwise).',
  })
  @ApiOkResponse({ type: FollowUpDto })
  @ApiProblems(400, 409)
  completeTicketFollowUp(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('followUpId', uuidParam('followUpId')) id: string,
    @Body() dto: CompleteFollowUpDto,
  ): Promise<FollowUpDto> {
    return this.afterSales.completeFollowUp(actor, scope, id, dto ?? {});
  }
}
