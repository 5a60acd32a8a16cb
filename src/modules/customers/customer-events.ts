import { EntityManager } from 'typeorm';

/** The profile's own history entries; other modules contribute theirs through a history source. */
export type CustomerEventKind =
  | 'customer.created'
  | 'customer.updated'
  | 'customer.archived'
  | 'customer.merged'
  | 'customer.merged_away'
  | 'customer.contact_added'
  | 'customer.contact_removed'
  | 'customer.care_contact';

export async function recordCustomerEvent(
  manager: EntityManager,
  event: {
    orgId: string;
    customerId: string;
    kind: CustomerEventKind;
    actorUserId: string | null;
    details: Record<string, unknown>;
    at: Date;
  },
): Promise<void> {
  await manager.query(
    `INSERT INTO customer_events (org_id, customer_id, kind, actor_user_id, details, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [event.orgId, event.customerId, event.kind, event.actorUserId, JSON.stringify(event.details), event.at],
  );
}
