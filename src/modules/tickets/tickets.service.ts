import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { isQueueAgent } from './ticket-agents';
import { TicketAutoAssignment } from './ticket-assignment';
import { TicketCustomers } from './ticket-customers';
import { TicketActor, TicketEvents } from './ticket-events';
import { TicketLinkCheck } from './ticket-links';
import { TicketSlaViews } from './ticket-sla-view';
import { loadTicket, ticketInScope, TicketRow, toTicketDto } from './ticket-row';
import { CreateTicketDto, ListTicketsQueryDto, TicketDto, UpdateTicketDto } from './ticket.dto';

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 't.created_at', kind: 'timestamp', milliseconds: true },
  updatedAt: { column: 't.updated_at', kind: 'timestamp', milliseconds: true },
};

/** What a new ticket is made of, whoever opens it (a member, a partner's key, a customer). */
export interface NewTicket {
  orgId: string;
  unitId: string;
  assigneeId: string | null;
  dto: CreateTicketDto;
  source: 'member' | 'api_key' | 'public';
  createdBy: string | null;
  apiKeyId: string | null;
  by: TicketActor;
  previousTicketId?: string | null;
}

export const notEligible = (field: string) =>
  new DomainError(ErrorCode.AssigneeNotEligible, 'That member cannot hold tickets of this queue', {
    errors: [{ field, message: "must be an active member holding tickets:write over the ticket's unit" }],
  });

/** Tickets of an organization: opening, reading, listing within the scope, and editing their details. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly events: TicketEvents,
    private readonly autoAssignment: TicketAutoAssignment,
    private readonly links: TicketLinkCheck,
    private readonly customers: TicketCustomers,
    private readonly slaViews: TicketSlaViews,
  ) {}

  async list(scope: DataScope, query: ListTicketsQueryDto): Promise<Page<TicketDto>> {
    const qb = this.dataSource.createQueryBuilder().select('t.*').from('tickets', 't');
    scope.apply(qb, { org: 't.org_id', unit: 't.unit_id', owner: 't.assignee_id' });
    if (query.state) qb.andWhere('t.state = :state', { state: query.state });
    if (query.type) qb.andWhere('t.type = :type', { type: query.type });
    if (query.priority) qb.andWhere('t.priority = :priority', { priority: query.priority });
    if (query.assigneeId === 'none') qb.andWhere('t.assignee_id IS NULL');
    else if (query.assigneeId) qb.andWhere('t.assignee_id = :assigneeId', { assigneeId: query.assigneeId });
    if (query.unitId) qb.andWhere('t.unit_id = :unitId', { unitId: query.unitId });
    if (query.customerId) qb.andWhere('t.customer_id = :customerId', { customerId: query.customerId });
    if (query.tag) qb.andWhere(':tag = ANY(t.tags)', { tag: query.tag });
    if (query.createdFrom) qb.andWhere('t.created_at >= :from', { from: new Date(query.createdFrom) });
    if (query.createdTo) qb.andWhere('t.created_at < :to', { to: new Date(query.createdTo) });
    const sort = parseSort(query.sort, SORT_KEYS, '-createdAt');
    const page = await paginate(qb, {
      query,
      sort,
      idColumn: 't.id',
      fetch: (q) => q.getRawMany<TicketRow>(),
      sortValue: (row) => (sort.key === SORT_KEYS.updatedAt ? row.updated_at : row.created_at),
      idValue: (row) => row.id,
      map: toTicketDto,
    });
    return this.slaViews.page(scope.orgId, page);
  }

  async get(scope: DataScope, id: string): Promise<Versioned<TicketDto>> {
    const row = await ticketInScope(this.dataSource.manager, scope, id);
    return this.slaViews.one(new Versioned(toTicketDto(row), row.version));
  }

  /** A member or a partner's API key opens a ticket in a unit its `tickets:write` scope covers. */
  async create(actor: Actor, scope: DataScope, dto: CreateTicketDto): Promise<Versioned<TicketDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const unitId = dto.unitId ?? (await this.defaultUnit(manager, actor, scope.orgId));
      const unitPath = await unitPathOf(manager, scope.orgId, unitId, 'unitId');
      let assigneeId: string | null = null;
      if (dto.assigneeId) {
        const assign = new DataScope(scope.orgId, 'tickets:assign', actor.userId, actor.grants);
        if (!assign.permitsUnit(unitPath, null)) {
          throw new DomainError(ErrorCode.PermissionDenied, 'Assigning needs tickets:assign over that unit', {
            extensions: { permission: 'tickets:assign' },
          });
        }
        assigneeId = dto.assigneeId;
      } else if (!scope.permitsUnit(unitPath, null)) {
        // A `self` scope may open a ticket it then holds itself; anything else outside the scope is refused.
        if (!actor.userId || !scope.permitsUnit(unitPath, actor.userId)) {
          throw new DomainError(
            ErrorCode.PermissionDenied,
            'Your tickets:write scope does not cover that unit',
          );
        }
        assigneeId = actor.userId;
      }
      const links = await this.links.resolve(manager, actor, scope.orgId, {
        brandOrgId: dto.brandOrgId ?? null,
        socialAccountId: dto.socialAccountId ?? null,
      });
      const row = await this.insert(manager, {
        orgId: scope.orgId,
        unitId,
        assigneeId,
        dto: { ...dto, brandOrgId: links.brandOrgId },
        source: actor.userId ? 'member' : 'api_key',
        createdBy: actor.userId,
        apiKeyId: actor.apiKeyId,
        by: { kind: 'member', actor },
      });
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  /**
   * Writes a new ticket and its `created` event, with the customer resolved and the assignee checked
   * (or picked by the queue). The one path every way of opening a ticket takes.
   */
  async insert(manager: EntityManager, t: NewTicket): Promise<TicketRow> {
    const { dto } = t;
    assertAfterSalesFields(dto.type, dto);
    if (t.assigneeId && !(await isQueueAgent(manager, t.orgId, t.unitId, t.assigneeId))) {
      throw notEligible('assigneeId');
    }
    const customerId = await this.customers.resolve(
      manager,
      t.orgId,
      t.createdBy,
      dto.customerId,
      dto.contact,
    );
    const assigneeId = t.assigneeId ?? (await this.autoAssignment.pick(manager, t.orgId, t.unitId));
    const now = this.clock.now();
    const [{ id }]: { id: string }[] = await manager.query(
      `INSERT INTO tickets (org_id, unit_id, assignee_id, type, after_sales_kind, channel, customer_id, contact,
         subject, description, priority, tags, brand_org_id, social_account_id, order_ref, campaign_ref, ad_ref,
         product_ref, solution, parts, state_changed_at, previous_ticket_id, source, created_by, created_by_api_key,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
         $23, $24, $25, $21, $21)
       RETURNING id`,
      [
        t.orgId,
        t.unitId,
        assigneeId,
        dto.type,
        dto.afterSalesKind ?? null,
        dto.channel,
        customerId,
        JSON.stringify(dto.contact ?? {}),
        dto.subject,
        dto.description ?? '',
        dto.priority ?? 'normal',
        dto.tags ?? [],
        dto.brandOrgId ?? null,
        dto.socialAccountId ?? null,
        dto.orderRef ?? null,
        dto.campaignRef ?? null,
        dto.adRef ?? null,
        dto.productRef ?? null,
        dto.solution ?? null,
        JSON.stringify(dto.parts ?? []),
        now,
        t.previousTicketId ?? null,
        t.source,
        t.createdBy,
        t.apiKeyId,
      ],
    );
    const row = await loadTicket(manager, t.orgId, id);
    await this.events.record(manager, {
      action: 'created',
      from: null,
      to: 'new',
      ticket: row,
      by: t.by,
      at: now,
      data: { assigneeId, unitId: t.unitId, previousTicketId: t.previousTicketId ?? null },
    });
    return row;
  }

  async update(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: UpdateTicketDto,
    ifMatch?: string,
  ): Promise<Versioned<TicketDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const before = await ticketInScope(manager, scope, id, { lock: true });
      assertIfMatch(ifMatch, before.version);
      if (before.state === 'closed') {
        throw new DomainError(ErrorCode.InvalidState, 'A closed ticket cannot be edited', {
          extensions: { currentState: before.state },
        });
      }
      assertAfterSalesFields(before.type, dto);
      let brandOrgId = dto.brandOrgId === undefined ? before.brand_org_id : dto.brandOrgId;
      const socialAccountId =
        dto.socialAccountId === undefined ? before.social_account_id : dto.socialAccountId;
      if (dto.brandOrgId !== undefined || dto.socialAccountId !== undefined) {
        brandOrgId = (await this.links.resolve(manager, actor, scope.orgId, { brandOrgId, socialAccountId }))
          .brandOrgId;
      }
      const next = {
        subject: dto.subject ?? before.subject,
        description: dto.description ?? before.description,
        priority: dto.priority ?? before.priority,
        tags: dto.tags ?? before.tags,
        brand_org_id: brandOrgId,
        social_account_id: socialAccountId,
        order_ref: dto.orderRef === undefined ? before.order_ref : dto.orderRef,
        campaign_ref: dto.campaignRef === undefined ? before.campaign_ref : dto.campaignRef,
        ad_ref: dto.adRef === undefined ? before.ad_ref : dto.adRef,
        product_ref: dto.productRef === undefined ? before.product_ref : dto.productRef,
        solution: dto.solution === undefined ? before.solution : dto.solution,
        parts: dto.parts ?? before.parts,
        after_sales_kind: dto.afterSalesKind ?? before.after_sales_kind,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [key, value] of Object.entries(next)) {
        const old = before[key as keyof TicketRow];
        if (JSON.stringify(old) !== JSON.stringify(value)) changes[key] = { from: old, to: value };
      }
      if (Object.keys(changes).length === 0) return new Versioned(toTicketDto(before), before.version);
      const now = this.clock.now();
      await manager.query(
        `UPDATE tickets SET subject = $2, description = $3, priority = $4, tags = $5, brand_org_id = $6,
           social_account_id = $7, order_ref = $8, campaign_ref = $9, ad_ref = $10, product_ref = $11, solution = $12,
           parts = $13, after_sales_kind = $14, updated_at = $15, version = version + 1
         WHERE id = $1`,
        [
          id,
          next.subject,
          next.description,
          next.priority,
          next.tags,
          next.brand_org_id,
          next.social_account_id,
          next.order_ref,
          next.campaign_ref,
          next.ad_ref,
          next.product_ref,
          next.solution,
          JSON.stringify(next.parts),
          next.after_sales_kind,
          now,
        ],
      );
      const row = await loadTicket(manager, scope.orgId, id);
      // Field names only: a listener (the SLA phase recomputing on a priority change) reads the ticket itself.
      await this.events.record(manager, {
        action: 'updated',
        from: before.state,
        to: row.state,
        ticket: row,
        by: { kind: 'member', actor },
        at: now,
        data: {
          fields: Object.keys(changes),
          ...(changes.priority ? { priority: changes.priority } : {}),
        },
      });
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  /** The caller's primary unit; for an API key, the organization's inbound unit (else its root). */
  private async defaultUnit(manager: EntityManager, actor: Actor, orgId: string): Promise<string> {
    if (actor.userId) {
      const rows: { unit_id: string }[] = await manager.query(
        `SELECT unit_id FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
        [orgId, actor.userId],
      );
      if (rows[0]) return rows[0].unit_id;
    }
    return inboundUnit(manager, orgId);
  }
}

/** Where tickets nobody routed land: the organization's setting, else its root unit. */
export async function inboundUnit(manager: EntityManager, orgId: string): Promise<string> {
  const rows: { unit_id: string }[] = await manager.query(
    `SELECT COALESCE(s.inbound_unit_id, u.id) AS unit_id FROM org_units u
       LEFT JOIN ticket_settings s ON s.org_id = u.org_id
     WHERE u.org_id = $1 AND u.parent_id IS NULL`,
    [orgId],
  );
  if (!rows[0]) throw DomainError.notFound('Organization');
  return rows[0].unit_id;
}

/** Product, solution and parts belong to after-sales tickets; elsewhere they are refused, not ignored. */
function assertAfterSalesFields(
  type: string,
  dto: Pick<CreateTicketDto, 'afterSalesKind' | 'productRef' | 'solution' | 'parts'>,
): void {
  if (type === 'after_sales') return;
  for (const field of ['afterSalesKind', 'productRef', 'solution', 'parts'] as const) {
    const value = dto[field];
    if (value !== undefined && value !== null) {
      throw DomainError.validation(field, 'is only for after_sales tickets');
    }
  }
}
