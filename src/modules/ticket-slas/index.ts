/** What other modules use of ticket SLAs. */
export { TicketSlasModule } from './ticket-slas.module';
export { TicketSlaReader } from './ticket-sla-reader';
export type { TicketSlaDto } from './ticket-sla.dto';
export { TicketSlaReportReader } from './ticket-sla-report-reader';
export type { TicketSlaClock, SlaPolicyOutcome, SlaPolicyRef } from './ticket-sla-report-reader';
