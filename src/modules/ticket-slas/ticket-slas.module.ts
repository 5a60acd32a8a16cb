import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { ServiceLevelsModule } from '../service-levels/service-levels.module';
import { TicketsModule } from '../tickets/tickets.module';
import { SlaBreachSweep } from './sla-breach-sweep';
import { TicketSlaReader } from './ticket-sla-reader';
import { TicketSlaReportReader } from './ticket-sla-report-reader';
import { TicketSlaTracker } from './ticket-sla-tracker';
import { TicketSlasController } from './ticket-slas.controller';

/**
 * SLAs on tickets (issue 14, second phase): a listener on every ticket change keeps each ticket's SLA
 * (policy applied, pauses, due times, fulfilment, events); a job every minute warns before due times and
 * escalates breaches. `TicketSlaReader` is exported for the tickets DTO,
 * `TicketSlaReportReader` for service reports.
 */
@Module({
  imports: [TicketsModule, ServiceLevelsModule, CustomersModule],
  controllers: [TicketSlasController],
  providers: [TicketSlaTracker, TicketSlaReader, TicketSlaReportReader, SlaBreachSweep],
  exports: [TicketSlaReader, TicketSlaReportReader],
})
export class TicketSlasModule {}
