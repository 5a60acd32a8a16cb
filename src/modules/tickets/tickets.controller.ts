import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  CreateTicketMessageDto,
  ListTicketMessagesQueryDto,
  TicketDeliveryDto,
  TicketMessageDto,
} from './message.dto';
import { ticketHistory } from './ticket-events';
import { TicketMessagesService } from './ticket-messages.service';
import { ticketInScope } from './ticket-row';
import { TicketAction } from './ticket-state';
import { TicketWorkflow } from './ticket-workflow.service';
import {
  AssignTicketDto,
  CreateTicketDto,
  IdentityCheckDto,
  ListTicketsQueryDto,
  TicketDto,
  TicketEventDto,
  TicketTransitionDto,
  UpdateTicketDto,
} from './ticket.dto';
import { TicketsService } from './tickets.service';

const TicketPageDto = PageOf(TicketDto);
const TicketMessagePageDto = PageOf(TicketMessageDto);
const TicketDeliveryPageDto = PageOf(TicketDeliveryDto);

const MOVE_DOC =
  'A move the state table does not allow from the current state is 409 `invalid_state` with `currentState` ' +
  'and `allowedActions`. Recorded in the history with who, when, from, to and the reason.';

@ApiTags('tickets')
@Controller('orgs/:orgId/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly workflow: TicketWorkflow,
    private readonly messages: TicketMessagesService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'listTickets',
    summary:
      "The organization's tickets within your scope (by unit, or those assigned to you with a self scope)",
    description:
      'Filters: state, type, priority, assigneeId (`none` for unassigned), unitId, customerId, tag, ' +
      'createdFrom/createdTo. Sort: createdAt (default newest first), updatedAt.',
  })
  @ApiOkResponse({ type: TicketPageDto })
  @ApiProblems(400)
  listTickets(@Scope() scope: DataScope, @Query() query: ListTicketsQueryDto): Promise<Page<TicketDto>> {
    return this.tickets.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'tickets:write' })
  @Idempotent()
  @ApiOperation({
    operationId: 'createTicket',
    summary: 'Open a ticket for a customer (an existing profile, or found or created from the contact)',
    description:
      'The unit defaults to your primary unit (an API key: the inbound unit). `assigneeId` needs ' +
      '`tickets:assign` over the unit (403) and a member who can hold tickets there (422 ' +
      "`assignee_not_eligible`); without it the queue's auto-assignment applies. A social account must be " +
      'one you can see (422 `reference_not_found`).',
  })
  @ApiCreatedResponse({ type: TicketDto })
  @ApiProblems(400, 409, 422)
  createTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateTicketDto,
  ): Promise<Versioned<TicketDto>> {
    return this.tickets.create(actor, scope, dto);
  }

  @Get(':ticketId')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'getTicket', summary: 'One ticket, with its ETag for a later If-Match' })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400)
  getTicket(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<Versioned<TicketDto>> {
    return this.tickets.get(scope, ticketId);
  }

  @Patch(':ticketId')
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'updateTicket',
    summary: "Edit a ticket's details (subject, priority, tags, links, after-sales fields)",
    description: 'A closed ticket cannot be edited (409). After-sales fields on other tickets are 400.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409, 412, 422)
  updateTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: UpdateTicketDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<TicketDto>> {
    return this.tickets.update(actor, scope, ticketId, dto, ifMatch);
  }

  @Get(':ticketId/history')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'getTicketHistory', summary: 'Every change of the ticket, oldest first' })
  @ApiOkResponse({ type: TicketEventDto, isArray: true })
  @ApiProblems(400)
  async getTicketHistory(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<TicketEventDto[]> {
    await ticketInScope(this.dataSource.manager, scope, ticketId);
    return ticketHistory(this.dataSource.manager, ticketId);
  }

  @Post(':ticketId/open')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'openTicket',
    summary: 'Start (or resume) work: → open',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  openTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'open', dto);
  }

  @Post(':ticketId/wait-for-customer')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'waitForCustomer',
    summary: 'Wait for the customer: → pending_customer (a customer reply opens it again)',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  waitForCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'wait-for-customer', dto);
  }

  @Post(':ticketId/escalate')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'escalateTicket',
    summary: 'Escalate what you cannot solve: → escalated, with a required reason',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  escalateTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'escalate', dto);
  }

  @Post(':ticketId/resolve')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'resolveTicket',
    summary: 'Resolve: → resolved (an after-sales ticket schedules its follow-up)',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  resolveTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'resolve', dto);
  }

  @Post(':ticketId/close')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'closeTicket',
    summary: 'Close a resolved ticket: → closed (final)',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  closeTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'close', dto);
  }

  @Post(':ticketId/reopen')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'reopenTicket',
    summary: 'Reopen a resolved ticket: → reopened',
    description: MOVE_DOC,
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  reopenTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: TicketTransitionDto,
  ): Promise<Versioned<TicketDto>> {
    return this.move(actor, scope, ticketId, 'reopen', dto);
  }

  @Post(':ticketId/assign')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:assign' })
  @ApiOperation({
    operationId: 'assignTicket',
    summary: "Assign to a member of the ticket's queue, back to the queue (null), or to another unit's queue",
    description:
      'The member must hold `tickets:write` over the unit (422 `assignee_not_eligible`). Moving to a queue ' +
      'without an assignee applies its auto-assignment. Your scope must cover the target unit (403).',
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409, 422)
  assignTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: AssignTicketDto,
  ): Promise<Versioned<TicketDto>> {
    return this.workflow.assign(actor, scope, ticketId, dto);
  }

  @Post(':ticketId/claim')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'claimTicket',
    summary: 'Take an unassigned ticket from your queue',
    description: 'Someone holds it already: 409 `ticket_already_assigned`. Not an agent of its queue: 403.',
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  claimTicket(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<Versioned<TicketDto>> {
    return this.workflow.claim(actor, scope, ticketId);
  }

  @Post(':ticketId/identity-check')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'recordTicketIdentityCheck',
    summary: 'Record how the customer was identified (needed before the first public reply)',
    description: '`not_needed` requires a `reason` (400 otherwise).',
  })
  @ApiOkWithEtag(TicketDto)
  @ApiProblems(400, 409)
  recordTicketIdentityCheck(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: IdentityCheckDto,
  ): Promise<Versioned<TicketDto>> {
    return this.workflow.recordIdentityCheck(actor, scope, ticketId, dto);
  }

  @Get(':ticketId/messages')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'listTicketMessages',
    summary: 'The conversation, oldest first: public replies with their delivery, notes, customer messages',
  })
  @ApiOkResponse({ type: TicketMessagePageDto })
  @ApiProblems(400)
  listTicketMessages(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Query() query: ListTicketMessagesQueryDto,
  ): Promise<Page<TicketMessageDto>> {
    return this.messages.list(scope, ticketId, query);
  }

  @Post(':ticketId/messages')
  @HttpCode(201)
  @Authorize({ permission: 'tickets:write' })
  @ApiOperation({
    operationId: 'createTicketMessage',
    summary: "Reply to the customer (through the channel's connector) or add an internal note",
    description:
      'A closed ticket: 409 `invalid_state`. A public reply before the identity check is recorded: 409 ' +
      '`identity_check_required`. The reply is queued in the same transaction and retried until sent; ' +
      'its `delivery` shows where it stands.',
  })
  @ApiCreatedResponse({ type: TicketMessageDto })
  @ApiProblems(400, 409, 422)
  createTicketMessage(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Body() dto: CreateTicketMessageDto,
  ): Promise<TicketMessageDto> {
    return this.messages.create(actor, scope, ticketId, dto);
  }

  @Get(':ticketId/deliveries')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'listTicketDeliveries',
    summary: 'What the connectors sent (email) or would have sent (sandbox) for this ticket',
  })
  @ApiOkResponse({ type: TicketDeliveryPageDto })
  @ApiProblems(400)
  listTicketDeliveries(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<TicketDeliveryDto>> {
    return this.messages.deliveries(scope, ticketId, query);
  }

  private move(actor: Actor, scope: DataScope, id: string, action: TicketAction, dto: TicketTransitionDto) {
    return this.workflow.transition(actor, scope, id, action, dto?.reason);
  }
}
