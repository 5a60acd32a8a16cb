import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerHistory, CustomerHistoryEntry, CustomerHistorySource } from '../customers/customer-history';

/** The ticket changes a customer's history shows, and the entry kind each becomes. */
export const HISTORY_KINDS: Record<string, string> = {
  created: 'ticket.opened',
  escalate: 'ticket.escalated',
  sla_escalate: 'ticket.escalated',
  resolve: 'ticket.resolved',
  reopen: 'ticket.reopened',
  customer_reopen: 'ticket.reopened',
  close: 'ticket.closed',
};

/**
 * The tickets' contribution to a customer's history (source `tickets`): each ticket's opening,
 * escalation, resolution, reopening and closing, read from the tickets' own history. Registered with the
 * customers module, which never reads ticket tables itself. Details name the ticket (id, subject, type,
 * channel, priority) and the state it reached; the conversation stays on the ticket (`tickets:read`).
 */
@Injectable()
export class TicketCustomerHistory implements CustomerHistorySource, OnModuleInit {
  readonly name = 'tickets';

  constructor(
    private readonly dataSource: DataSource,
    private readonly history: CustomerHistory,
  ) {}

  onModuleInit(): void {
    this.history.register(this);
  }

  async entries(
    orgId: string,
    customerIds: readonly string[],
    page: { notAfter: Date | null; limit: number },
  ): Promise<CustomerHistoryEntry[]> {
    // The id is the event's sequence number zero-padded, so that text order (the history's tie-break)
    // is the same as number order.
    const rows: {
      id: string;
      action: string;
      customer_id: string;
      actor_user_id: string | null;
      ticket_id: string;
      subject: string;
      type: string;
      channel: string;
      priority: string;
      to_state: string;
      reason: string | null;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT lpad(e.seq::text, 20, '0') AS id, e.action, t.customer_id, e.actor_user_id, t.id AS ticket_id,
              t.subject, t.type, t.channel, t.priority, e.to_state, e.reason, e.created_at
         FROM tickets t
         JOIN ticket_events e ON e.ticket_id = t.id AND e.org_id = t.org_id
        WHERE t.org_id = $1 AND t.customer_id = ANY($2::uuid[]) AND e.action = ANY($3::text[])
          AND ($4::timestamptz IS NULL OR e.created_at <= $4)
        ORDER BY e.created_at DESC, e.seq DESC
        LIMIT $5`,
      [orgId, customerIds, Object.keys(HISTORY_KINDS), page.notAfter, page.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: HISTORY_KINDS[r.action],
      customerId: r.customer_id,
      actorUserId: r.actor_user_id,
      details: {
        ticketId: r.ticket_id,
        subject: r.subject,
        type: r.type,
        channel: r.channel,
        priority: r.priority,
        state: r.to_state,
        ...(r.reason ? { reason: r.reason } : {}),
      },
      occurredAt: r.created_at,
    }));
  }
}
