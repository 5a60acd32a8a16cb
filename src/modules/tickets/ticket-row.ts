import { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import {
  AfterSalesKind,
  ContactDto,
  IdentityMethod,
  PartViewDto,
  TicketChannel,
  TicketDto,
  TicketPriority,
  TicketType,
} from './ticket.dto';
import { allowedActions, TicketState } from './ticket-state';

/** A `tickets` row as the services read it (raw SQL, snake_case). */
export interface TicketRow {
  id: string;
  org_id: string;
  unit_id: string;
  assignee_id: string | null;
  type: TicketType;
  after_sales_kind: AfterSalesKind | null;
  channel: TicketChannel;
  customer_id: string | null;
  contact: ContactDto;
  subject: string;
  description: string;
  priority: TicketPriority;
  tags: string[];
  brand_org_id: string | null;
  social_account_id: string | null;
  order_ref: string | null;
  campaign_ref: string | null;
  ad_ref: string | null;
  product_ref: string | null;
  solution: string | null;
  parts: { name: string; partNumber?: string; quantity: number }[];
  state: TicketState;
  state_changed_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  previous_ticket_id: string | null;
  identity_method: IdentityMethod | null;
  identity_note: string | null;
  identity_checked_by: string | null;
  identity_checked_at: Date | null;
  source: 'member' | 'api_key' | 'public';
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toTicketDto(row: TicketRow): TicketDto {
  const c = row.contact ?? {};
  const parts: PartViewDto[] = (row.parts ?? []).map((p) => ({
    name: p.name,
    partNumber: p.partNumber ?? null,
    quantity: p.quantity,
  }));
  return {
    id: row.id,
    orgId: row.org_id,
    unitId: row.unit_id,
    assigneeId: row.assignee_id,
    type: row.type,
    afterSalesKind: row.after_sales_kind,
    channel: row.channel,
    customerId: row.customer_id,
    contact: {
      name: c.name ?? null,
      company: c.company ?? null,
      phone: c.phone ?? null,
      email: c.email ?? null,
      douyinId: c.douyinId ?? null,
      wechatId: c.wechatId ?? null,
    },
    subject: row.subject,
    description: row.description,
    priority: row.priority,
    tags: row.tags,
    brandOrgId: row.brand_org_id,
    socialAccountId: row.social_account_id,
    orderRef: row.order_ref,
    campaignRef: row.campaign_ref,
    adRef: row.ad_ref,
    productRef: row.product_ref,
    solution: row.solution,
    parts,
    state: row.state,
    stateChangedAt: row.state_changed_at.toISOString(),
    allowedActions: allowedActions(row.state),
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
    previousTicketId: row.previous_ticket_id,
    sla: null,
    identityCheck:
      row.identity_method && row.identity_checked_at
        ? {
            method: row.identity_method,
            note: row.identity_note,
            checkedBy: row.identity_checked_by,
            checkedAt: row.identity_checked_at.toISOString(),
          }
        : null,
    source: row.source,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type ScopedTicketRow = TicketRow & { unit_path: string };

/**
 * A ticket of the scope's organization that the scope covers (by its unit, or as its assignee with a
 * `self` scope), else 404: another tenant's ticket and one outside the caller's scope look the same.
 */
export async function ticketInScope(
  manager: EntityManager,
  scope: DataScope,
  ticketId: string,
  options: { lock?: boolean } = {},
): Promise<ScopedTicketRow> {
  const rows: ScopedTicketRow[] = await manager.query(
    `SELECT t.*, u.path::text AS unit_path FROM tickets t JOIN org_units u ON u.id = t.unit_id
     WHERE t.id = $1 AND t.org_id = $2${options.lock ? ' FOR UPDATE OF t' : ''}`,
    [ticketId, scope.orgId],
  );
  const row = rows[0];
  if (!row || !scope.permits({ unitPath: row.unit_path, ownerId: row.assignee_id })) {
    throw DomainError.notFound('Ticket');
  }
  return row;
}

/** One ticket by id within an organization (no scope: jobs and the public side), optionally locked. */
export async function loadTicket(
  manager: EntityManager,
  orgId: string,
  ticketId: string,
  options: { lock?: boolean } = {},
): Promise<TicketRow> {
  const rows: TicketRow[] = await manager.query(
    `SELECT * FROM tickets WHERE id = $1 AND org_id = $2${options.lock ? ' FOR UPDATE' : ''}`,
    [ticketId, orgId],
  );
  if (!rows[0]) throw DomainError.notFound('Ticket');
  return rows[0];
}
