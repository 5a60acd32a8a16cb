/** The ticket attributes a policy's conditions test, with the values the tickets module uses (issue 14). */

export const TICKET_TYPES = ['consultation', 'complaint', 'after_sales'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const SERVICE_CHANNELS = ['phone', 'web', 'email', 'douyin_dm', 'wechat', 'api'] as const;
export type ServiceChannel = (typeof SERVICE_CHANNELS)[number];

/** What the resolver is asked about one ticket. */
export interface TicketFacts {
  type: TicketType;
  priority: TicketPriority;
  /** The customer's tier; null when the customer has none. */
  tier: string | null;
  channel: ServiceChannel;
}
