import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Public } from '../access/authorize.decorator';
import {
  ChallengeDto,
  PublicCreateTicketDto,
  PublicReplyDto,
  PublicReplyResultDto,
  PublicThreadQueryDto,
  PublicTicketCreatedDto,
  PublicTicketMessageDto,
} from './public-ticket.dto';
import { LINK_MAX_LENGTH, PublicTicketsService } from './public-tickets.service';

const PublicTicketMessagePageDto = PageOf(PublicTicketMessageDto);
/** Stricter than the global limit: these are the doors anyone can knock on. */
const LINK_PARAM = {
  name: 'ticketLink',
  description: 'The per-ticket link answered as `replyToken` when the ticket was opened',
  schema: { type: 'string' as const, maxLength: LINK_MAX_LENGTH },
};
const PUBLIC_WRITES = { default: { limit: 10, ttl: 60_000 } };

@ApiTags('tickets')
@Controller('public')
export class PublicTicketsController {
  constructor(private readonly publicTickets: PublicTicketsService) {}

  @Get('orgs/:orgId/ticket-challenge')
  @Public()
  @ApiOperation({
    operationId: 'getTicketChallenge',
    summary: 'A small signed challenge to solve before opening a ticket without an API key',
    description: 'Valid for 10 minutes and for one ticket.',
  })
  @ApiOkResponse({ type: ChallengeDto })
  @ApiProblems(400, 404)
  getTicketChallenge(@Param('orgId', uuidParam('orgId')) orgId: string): Promise<ChallengeDto> {
    return this.publicTickets.challenge(orgId);
  }

  @Post('orgs/:orgId/tickets')
  @HttpCode(201)
  @Public()
  @Throttle(PUBLIC_WRITES)
  @ApiOperation({
    operationId: 'openPublicTicket',
    summary: "A customer opens a ticket: with a partner help widget's API key, or a solved challenge",
    description:
      'Without `X-API-Key`, `challenge` is required (401 when missing, 422 `challenge_failed` when wrong or ' +
      'expired, 409 `challenge_used` when used before). A key must be one of this organization with ' +
      "`tickets:write` where inbound tickets land (401 / 403). Answers the secret of the ticket's reply link.",
  })
  @ApiHeader({
    name: 'X-API-Key',
    required: false,
    description: "A partner's API key of this organization",
    schema: { type: 'string', maxLength: 200 },
  })
  @ApiCreatedResponse({ type: PublicTicketCreatedDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  openPublicTicket(
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Headers('x-api-key') apiKey: string | undefined,
    @Body() dto: PublicCreateTicketDto,
  ): Promise<PublicTicketCreatedDto> {
    return this.publicTickets.create(orgId, apiKey, dto);
  }

  @Get('tickets/:ticketLink/messages')
  @Public()
  @ApiOperation({
    operationId: 'listPublicTicketMessages',
    summary: 'The conversation of the ticket the link belongs to (public messages only), oldest first',
  })
  @ApiParam(LINK_PARAM)
  @ApiOkResponse({ type: PublicTicketMessagePageDto })
  @ApiProblems(400, 404)
  listPublicTicketMessages(
    @Param('ticketLink') link: string,
    @Query() query: PublicThreadQueryDto,
  ): Promise<Page<PublicTicketMessageDto>> {
    return this.publicTickets.thread(link, query);
  }

  @Post('tickets/:ticketLink/messages')
  @HttpCode(201)
  @Public()
  @Throttle(PUBLIC_WRITES)
  @ApiOperation({
    operationId: 'replyToPublicTicket',
    summary: 'The customer answers through the ticket link',
    description:
      'Reopens a ticket resolved less than 7 days ago; after that, or once closed, opens a new ticket linked ' +
      'to it and answers its link.',
  })
  @ApiParam(LINK_PARAM)
  @ApiCreatedResponse({ type: PublicReplyResultDto })
  @ApiProblems(400, 404)
  replyToPublicTicket(
    @Param('ticketLink') link: string,
    @Body() dto: PublicReplyDto,
  ): Promise<PublicReplyResultDto> {
    return this.publicTickets.reply(link, dto);
  }
}
