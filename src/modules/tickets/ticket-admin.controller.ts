import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { TicketSettingsDto, UpdateTicketSettingsDto } from './after-sales.dto';
import { CannedRepliesService } from './canned-replies.service';
import { CannedReplyDto, CreateCannedReplyDto, UpdateCannedReplyDto } from './canned-reply.dto';
import { TicketQueueDto, UpdateTicketQueueDto } from './queue.dto';
import { TicketQueuesService } from './ticket-queues.service';

const CannedReplyPageDto = PageOf(CannedReplyDto);

@ApiTags('tickets')
@Controller('orgs/:orgId/ticket-queues')
export class TicketQueuesController {
  constructor(private readonly queues: TicketQueuesService) {}

  @Get(':unitId')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'getTicketQueue',
    summary: "A unit's ticket queue: its auto-assignment, its agents and how many tickets wait in it",
    description: 'A unit your scope does not cover answers 404.',
  })
  @ApiOkResponse({ type: TicketQueueDto })
  @ApiProblems(400)
  getTicketQueue(@Scope() scope: DataScope, @Param('unitId', uuidParam('unitId')) unitId: string) {
    return this.queues.get(scope, unitId);
  }

  @Put(':unitId')
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({ operationId: 'updateTicketQueue', summary: "Set a queue's auto-assignment" })
  @ApiOkResponse({ type: TicketQueueDto })
  @ApiProblems(400)
  updateTicketQueue(
    @Scope() scope: DataScope,
    @Param('unitId', uuidParam('unitId')) unitId: string,
    @Body() dto: UpdateTicketQueueDto,
  ): Promise<TicketQueueDto> {
    return this.queues.update(scope, unitId, dto);
  }
}

@ApiTags('tickets')
@Controller('orgs/:orgId/ticket-settings')
export class TicketSettingsController {
  constructor(private readonly queues: TicketQueuesService) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'getTicketSettings', summary: "The organization's ticket settings" })
  @ApiOkResponse({ type: TicketSettingsDto })
  getTicketSettings(@Scope() scope: DataScope): Promise<TicketSettingsDto> {
    return this.queues.settings(scope.orgId);
  }

  @Put()
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'updateTicketSettings',
    summary: 'Change the follow-up delay (days, 1–90) or where inbound tickets land',
  })
  @ApiOkResponse({ type: TicketSettingsDto })
  @ApiProblems(400, 422)
  updateTicketSettings(
    @Scope() scope: DataScope,
    @Body() dto: UpdateTicketSettingsDto,
  ): Promise<TicketSettingsDto> {
    return this.queues.updateSettings(scope, dto);
  }
}

@ApiTags('tickets')
@Controller('orgs/:orgId/canned-replies')
export class CannedRepliesController {
  constructor(private readonly canned: CannedRepliesService) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'listCannedReplies', summary: "The organization's canned replies, by name" })
  @ApiOkResponse({ type: CannedReplyPageDto })
  @ApiProblems(400)
  listCannedReplies(@Scope() scope: DataScope, @Query() query: PageQueryDto): Promise<Page<CannedReplyDto>> {
    return this.canned.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'createCannedReply',
    summary: 'Add a canned reply; placeholders such as {{customer.name}} are filled in when it is used',
    description: 'An unknown placeholder is 400; a name already used (case-insensitive) is 409 `duplicate`.',
  })
  @ApiCreatedResponse({ type: CannedReplyDto })
  @ApiProblems(400, 409)
  createCannedReply(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateCannedReplyDto,
  ): Promise<Versioned<CannedReplyDto>> {
    return this.canned.create(scope, actor.userId, dto);
  }

  @Get(':cannedReplyId')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'getCannedReply', summary: 'One canned reply, with its ETag' })
  @ApiOkWithEtag(CannedReplyDto)
  @ApiProblems(400)
  getCannedReply(
    @Scope() scope: DataScope,
    @Param('cannedReplyId', uuidParam('cannedReplyId')) id: string,
  ): Promise<Versioned<CannedReplyDto>> {
    return this.canned.get(scope, id);
  }

  @Patch(':cannedReplyId')
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({ operationId: 'updateCannedReply', summary: 'Edit a canned reply' })
  @ApiIfMatch()
  @ApiOkWithEtag(CannedReplyDto)
  @ApiProblems(400, 409, 412)
  updateCannedReply(
    @Scope() scope: DataScope,
    @Param('cannedReplyId', uuidParam('cannedReplyId')) id: string,
    @Body() dto: UpdateCannedReplyDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<CannedReplyDto>> {
    return this.canned.update(scope, id, dto, ifMatch);
  }

  @Delete(':cannedReplyId')
  @HttpCode(204)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'deleteCannedReply',
    summary: 'Delete a canned reply (messages keep their text)',
  })
  @ApiProblems(400)
  async deleteCannedReply(
    @Scope() scope: DataScope,
    @Param('cannedReplyId', uuidParam('cannedReplyId')) id: string,
  ): Promise<void> {
    await this.canned.delete(scope, id);
  }
}
