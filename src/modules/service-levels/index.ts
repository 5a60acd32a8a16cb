/** What other modules use of service levels. */
export { ServiceLevelsModule } from './service-levels.module';
export { SlaPolicyResolver } from './sla-policy-resolver';
export type { ResolvedSlaPolicy } from './sla-policy-resolver';
export { SlaClock, computeSla } from './sla-clock';
export type { SlaTarget, SlaTargets, SlaPause, SlaTimes } from './sla-clock';
export {
  addWorkingMinutes,
  workingMinutesBetween,
  nextOpening,
  isOpen,
  CompiledCalendar,
} from './working-time';
export { TICKET_TYPES, TICKET_PRIORITIES, SERVICE_CHANNELS } from './ticket-facts';
export type { TicketFacts } from './ticket-facts';
