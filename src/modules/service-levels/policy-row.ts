import { SlaTarget } from './sla-clock';
import { SlaPolicyDto } from './sla-policy.dto';
import { ServiceChannel, TicketPriority, TicketType } from './ticket-facts';

/** An `sla_policies` row as SQL returns it; this module owns the table. */
export interface PolicyRow {
  id: string;
  org_id: string;
  name: string;
  position: number;
  ticket_types: TicketType[];
  priorities: TicketPriority[];
  customer_tiers: string[];
  channels: ServiceChannel[];
  first_response: SlaTarget | null;
  next_response: SlaTarget | null;
  resolution: SlaTarget | null;
  calendar_id: string | null;
  warn_before_minutes: number | null;
  reassign_on_breach: boolean;
  seed_key: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const POLICY_COLUMNS = `p.id, p.org_id, p.name, p.position, p.ticket_types, p.priorities, p.customer_tiers,
  p.channels, p.first_response, p.next_response, p.resolution, p.calendar_id, p.warn_before_minutes, p.reassign_on_breach, p.seed_key,
  p.version, p.created_at, p.updated_at`;

export const toPolicyDto = (row: PolicyRow): SlaPolicyDto => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  position: row.position,
  conditions: {
    ticketTypes: row.ticket_types,
    priorities: row.priorities,
    customerTiers: row.customer_tiers,
    channels: row.channels,
  },
  firstResponse: row.first_response,
  nextResponse: row.next_response,
  resolution: row.resolution,
  calendarId: row.calendar_id,
  warnBeforeMinutes: row.warn_before_minutes,
  reassignOnBreach: row.reassign_on_breach,
  seedKey: row.seed_key,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
