/** What other modules use of ticket SLAs. */
export { TicketSlasModule } from './ticket-slas.module';
export { TicketSlaReader } from './ticket-sla-reader';
export type { TicketSlaDto } from './ticket-sla.dto';
export { unitSupervisors } from './unit-supervisors';
