import { Module } from '@nestjs/common';
import { OrganizationTimeZonesModule } from '../organizations/organization-time-zones';
import { TicketSlasModule } from '../ticket-slas/ticket-slas.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ServiceReportsController } from './service-reports.controller';
import { ServiceReportsService } from './service-reports.service';

/**
 * Service reports (issue 14): first-response and resolution times, SLA attainment, backlog and volume.
 * Reads tickets and their SLAs only through the readers the tickets and ticket-slas modules export.
 */
@Module({
  imports: [TicketsModule, TicketSlasModule, OrganizationTimeZonesModule],
  controllers: [ServiceReportsController],
  providers: [ServiceReportsService],
})
export class ServiceReportsModule {}
