import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { DataScope } from '../access/data-scope';
import { assertEditable } from './editing';
import { POLICY_COLUMNS, PolicyRow, toPolicyDto } from './policy-row';
import { SlaTarget } from './sla-clock';
import {
  CreateSlaPolicyDto,
  ListSlaPoliciesQueryDto,
  ReorderSlaPoliciesDto,
  SlaConditionsDto,
  SlaPolicyDto,
  SlaPolicyListDto,
  UpdateSlaPolicyDto,
} from './sla-policy.dto';

const SORT_KEYS: Record<string, SortKey> = { position: { column: 'p.position', kind: 'number' } };

const targetOf = (dto: { minutes: number; mode: SlaTarget['mode'] } | null | undefined): string | null =>
  dto ? JSON.stringify({ minutes: dto.minutes, mode: dto.mode }) : null;

const conditionsOf = (dto: SlaConditionsDto | undefined) => ({
  ticketTypes: dto?.ticketTypes ?? [],
  priorities: dto?.priorities ?? [],
  customerTiers: [...new Set((dto?.customerTiers ?? []).map((tier) => tier.trim().toLowerCase()))],
  channels: dto?.channels ?? [],
});

/** SLA policies: an ordered list; the first whose conditions match a ticket applies to it. */
@Injectable()
export class SlaPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  list(scope: DataScope, query: ListSlaPoliciesQueryDto): Promise<Page<SlaPolicyDto>> {
    // Policies belong to the organization, not to a unit: any grant of the permission reads them.
    const qb = this.dataSource.manager
      .createQueryBuilder()
      .select(POLICY_COLUMNS.split(',').map((c) => `${c.trim()} AS ${c.trim().slice(2)}`))
      .from('sla_policies', 'p')
      .where('p.org_id = :orgId', { orgId: scope.orgId });
    const sort = parseSort(undefined, SORT_KEYS, 'position');
    return paginate(qb, {
      query,
      sort,
      idColumn: 'p.id',
      fetch: (q) => q.getRawMany<PolicyRow>(),
      sortValue: (row) => row.position,
      idValue: (row) => row.id,
      map: toPolicyDto,
    });
  }

  async get(scope: DataScope, policyId: string): Promise<Versioned<SlaPolicyDto>> {
    const row = await this.load(this.dataSource.manager, scope.orgId, policyId);
    return new Versioned(toPolicyDto(row), row.version);
  }

  async create(scope: DataScope, dto: CreateSlaPolicyDto): Promise<Versioned<SlaPolicyDto>> {
    assertEditable(scope, 'SLA policies');
    assertHasTarget(dto);
    return this.dataSource.transaction(async (manager) => {
      await this.lockOrganization(manager, scope.orgId);
      if (dto.calendarId) await this.assertCalendar(manager, scope.orgId, dto.calendarId);
      const conditions = conditionsOf(dto.conditions);
      const now = this.clock.now();
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO sla_policies (org_id, name, position, ticket_types, priorities, customer_tiers, channels,
                                   first_response, next_response, resolution, calendar_id, warn_before_minutes, reassign_on_breach,
                                   created_at, updated_at)
         SELECT $1, $2, COALESCE(max(position), 0) + 1, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $13, $12, $12
           FROM sla_policies WHERE org_id = $1
         RETURNING id`,
        [
          scope.orgId,
          dto.name,
          conditions.ticketTypes,
          conditions.priorities,
          conditions.customerTiers,
          conditions.channels,
          targetOf(dto.firstResponse),
          targetOf(dto.nextResponse),
          targetOf(dto.resolution),
          dto.calendarId ?? null,
          dto.warnBeforeMinutes ?? null,
          now,
          dto.reassignOnBreach ?? false,
        ],
      );
      const row = await this.load(manager, scope.orgId, id);
      return new Versioned(toPolicyDto(row), row.version);
    });
  }

  async update(
    scope: DataScope,
    policyId: string,
    dto: UpdateSlaPolicyDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<SlaPolicyDto>> {
    assertEditable(scope, 'SLA policies');
    return this.dataSource.transaction(async (manager) => {
      const before = await this.load(manager, scope.orgId, policyId, { lock: true });
      assertIfMatch(ifMatch, before.version);
      const pick = <T>(value: T | null | undefined, current: T | null): T | null =>
        value === undefined ? current : value;
      const next = {
        firstResponse: pick(dto.firstResponse, before.first_response),
        nextResponse: pick(dto.nextResponse, before.next_response),
        resolution: pick(dto.resolution, before.resolution),
      };
      assertHasTarget(next);
      const calendarId = pick(dto.calendarId, before.calendar_id);
      if (calendarId && calendarId !== before.calendar_id) {
        await this.assertCalendar(manager, scope.orgId, calendarId);
      }
      const conditions = dto.conditions
        ? conditionsOf(dto.conditions)
        : {
            ticketTypes: before.ticket_types,
            priorities: before.priorities,
            customerTiers: before.customer_tiers,
            channels: before.channels,
          };
      await manager.query(
        `UPDATE sla_policies SET name = $3, ticket_types = $4, priorities = $5, customer_tiers = $6, channels = $7,
                first_response = $8::jsonb, next_response = $9::jsonb, resolution = $10::jsonb, calendar_id = $11,
                warn_before_minutes = $12, updated_at = $13, reassign_on_breach = $14, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [
          scope.orgId,
          policyId,
          dto.name ?? before.name,
          conditions.ticketTypes,
          conditions.priorities,
          conditions.customerTiers,
          conditions.channels,
          targetOf(next.firstResponse),
          targetOf(next.nextResponse),
          targetOf(next.resolution),
          calendarId,
          pick(dto.warnBeforeMinutes, before.warn_before_minutes),
          this.clock.now(),
          dto.reassignOnBreach ?? before.reassign_on_breach,
        ],
      );
      const row = await this.load(manager, scope.orgId, policyId);
      return new Versioned(toPolicyDto(row), row.version);
    });
  }

  async remove(scope: DataScope, policyId: string): Promise<void> {
    assertEditable(scope, 'SLA policies');
    await this.dataSource.transaction(async (manager) => {
      await this.load(manager, scope.orgId, policyId, { lock: true });
      await manager.query(`DELETE FROM sla_policies WHERE org_id = $1 AND id = $2`, [scope.orgId, policyId]);
    });
  }

  /** Sets the order: the body lists every policy of the organization once, first tried first. */
  async reorder(scope: DataScope, dto: ReorderSlaPoliciesDto): Promise<SlaPolicyListDto> {
    assertEditable(scope, 'SLA policies');
    return this.dataSource.transaction(async (manager) => {
      await this.lockOrganization(manager, scope.orgId);
      const rows: { id: string }[] = await manager.query(`SELECT id FROM sla_policies WHERE org_id = $1`, [
        scope.orgId,
      ]);
      const current = new Set(rows.map((r) => r.id));
      const missing = [...current].filter((id) => !dto.policyIds.includes(id));
      const unknown = dto.policyIds.filter((id) => !current.has(id));
      if (missing.length > 0 || unknown.length > 0) {
        throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', {
          errors: [
            {
              field: 'policyIds',
              message: `must list every policy of the organization once (missing ${missing.length}, unknown ${unknown.length})`,
            },
          ],
        });
      }
      // Positions are unique per organization, checked at commit, so the whole order changes at once.
      await manager.query(
        `UPDATE sla_policies p SET position = o.position, updated_at = $3, version = version + 1
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, position)
          WHERE p.org_id = $1 AND p.id = o.id AND p.position <> o.position`,
        [scope.orgId, dto.policyIds, this.clock.now()],
      );
      const ordered: PolicyRow[] = await manager.query(
        `SELECT ${POLICY_COLUMNS} FROM sla_policies p WHERE p.org_id = $1 ORDER BY p.position, p.id`,
        [scope.orgId],
      );
      return { items: ordered.map(toPolicyDto) };
    });
  }

  private async lockOrganization(manager: EntityManager, orgId: string): Promise<void> {
    // Policy writes of one organization take turns, so positions are handed out one at a time.
    await manager.query(`SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, [orgId]);
  }

  private async assertCalendar(manager: EntityManager, orgId: string, calendarId: string): Promise<void> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM service_calendars WHERE org_id = $1 AND id = $2`,
      [orgId, calendarId],
    );
    if (rows.length === 0) {
      throw new DomainError(ErrorCode.ReferenceNotFound, 'No such calendar in this organization', {
        errors: [{ field: 'calendarId', message: 'names no calendar of this organization' }],
      });
    }
  }

  private async load(
    manager: EntityManager,
    orgId: string,
    policyId: string,
    options: { lock?: boolean } = {},
  ): Promise<PolicyRow> {
    const rows: PolicyRow[] = await manager.query(
      `SELECT ${POLICY_COLUMNS} FROM sla_policies p WHERE p.org_id = $1 AND p.id = $2${options.lock ? ' FOR UPDATE' : ''}`,
      [orgId, policyId],
    );
    if (!rows[0]) throw DomainError.notFound('SLA policy');
    return rows[0];
  }
}

/** A policy measures something: at least one of its three targets is set. */
function assertHasTarget(targets: {
  firstResponse?: unknown;
  nextResponse?: unknown;
  resolution?: unknown;
}): void {
  if (!targets.firstResponse && !targets.nextResponse && !targets.resolution) {
    throw DomainError.validation(
      'resolution',
      'a policy needs at least one of firstResponse, nextResponse, resolution',
    );
  }
}
