import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { SocialAccountAccessModule } from '../social-accounts/social-account-access.module';
import { TicketFollowUpsController, TicketStepsController } from './after-sales.controller';
import { AfterSalesService } from './after-sales.service';
import { CannedRepliesService } from './canned-replies.service';
import { AfterSalesFollowUps } from './follow-ups';
import { PublicTicketsController } from './public-tickets.controller';
import { PublicTicketsService } from './public-tickets.service';
import {
  CannedRepliesController,
  TicketQueuesController,
  TicketSettingsController,
} from './ticket-admin.controller';
import { TicketAutoAssignment } from './ticket-assignment';
import { TicketConnectors } from './ticket-connectors';
import { TicketCustomerHistory } from './ticket-customer-history';
import { TicketCustomers } from './ticket-customers';
import { TicketEvents } from './ticket-events';
import { TicketLinkCheck } from './ticket-links';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketQueuesService } from './ticket-queues.service';
import { TicketReportReader } from './ticket-report-reader';
import { TicketSecrets } from './ticket-secrets';
import { TicketSlaViews } from './ticket-sla-view';
import { TicketWorkflow } from './ticket-workflow.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

/**
 * Customer-service tickets: the ticket and its state table, queues and assignment, the conversation and
 * its channel connectors, identity first, the public side (inbound tickets and signed reply links),
 * canned replies and after-sales work. `TicketEvents` is exported: later phases (SLA timers, surveys)
 * register a `TicketChangeListener` on it and run inside every change's transaction. `TicketReportReader`
 * answers the facts of service reports (set-based, scoped in SQL).
 */
@Module({
  imports: [SocialAccountAccessModule, CustomersModule],
  controllers: [
    TicketsController,
    TicketStepsController,
    TicketFollowUpsController,
    TicketQueuesController,
    TicketSettingsController,
    CannedRepliesController,
    PublicTicketsController,
  ],
  providers: [
    TicketEvents,
    TicketSlaViews,
    TicketsService,
    TicketWorkflow,
    TicketAutoAssignment,
    TicketLinkCheck,
    TicketCustomers,
    TicketCustomerHistory,
    TicketMessagesService,
    TicketConnectors,
    CannedRepliesService,
    TicketQueuesService,
    AfterSalesService,
    AfterSalesFollowUps,
    TicketSecrets,
    PublicTicketsService,
    TicketReportReader,
  ],
  exports: [
    TicketEvents,
    TicketSlaViews,
    TicketsService,
    TicketWorkflow,
    TicketReportReader,
    TicketConnectors,
  ],
})
export class TicketsModule {}
