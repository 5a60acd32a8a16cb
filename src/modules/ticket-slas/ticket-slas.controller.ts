import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { TicketSlaDto } from './ticket-sla.dto';
import { TicketSlaReader } from './ticket-sla-reader';

@ApiTags('ticket-slas')
@Controller('orgs/:orgId/tickets/:ticketId/sla')
export class TicketSlasController {
  constructor(private readonly reader: TicketSlaReader) {}

  @Get()
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'getTicketSla',
    summary: "A ticket's SLA: due times, remaining working minutes, each target's state and the SLA events",
    description:
      'The same data scope as the ticket: a ticket of another organization or outside the caller’s scope is 404.',
  })
  @ApiOkResponse({ type: TicketSlaDto })
  @ApiProblems(400)
  getTicketSla(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<TicketSlaDto> {
    return this.reader.get(scope, ticketId);
  }
}
