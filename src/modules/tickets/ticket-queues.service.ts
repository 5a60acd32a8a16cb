import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { TicketSettingsDto, UpdateTicketSettingsDto } from './after-sales.dto';
import { AutoAssignMode, TicketQueueDto, UpdateTicketQueueDto } from './queue.dto';
import { queueAgents } from './ticket-agents';
import { ACTIVE_STATES } from './ticket-state';

/** Unit queues (their auto-assignment) and the organization's ticket settings. */
@Injectable()
export class TicketQueuesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** A unit's queue; a unit the scope does not cover answers 404 like one that does not exist. */
  async get(scope: DataScope, unitId: string): Promise<TicketQueueDto> {
    await this.unitInScope(this.dataSource.manager, scope, unitId);
    return this.describe(this.dataSource.manager, scope.orgId, unitId);
  }

  async update(scope: DataScope, unitId: string, dto: UpdateTicketQueueDto): Promise<TicketQueueDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.unitInScope(manager, scope, unitId);
      await manager.query(
        `INSERT INTO ticket_queues (org_id, unit_id, auto_assign, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, unit_id) DO UPDATE
           SET auto_assign = EXCLUDED.auto_assign, updated_at = EXCLUDED.updated_at,
               version = ticket_queues.version + 1`,
        [scope.orgId, unitId, dto.autoAssign, this.clock.now()],
      );
      return this.describe(manager, scope.orgId, unitId);
    });
  }

  async settings(orgId: string): Promise<TicketSettingsDto> {
    const rows: { follow_up_days: number; inbound_unit_id: string | null }[] = await this.dataSource.query(
      'SELECT follow_up_days, inbound_unit_id FROM ticket_settings WHERE org_id = $1',
      [orgId],
    );
    return { followUpDays: rows[0]?.follow_up_days ?? 3, inboundUnitId: rows[0]?.inbound_unit_id ?? null };
  }

  async updateSettings(scope: DataScope, dto: UpdateTicketSettingsDto): Promise<TicketSettingsDto> {
    return this.dataSource.transaction(async (manager) => {
      if (dto.inboundUnitId) await unitPathOf(manager, scope.orgId, dto.inboundUnitId, 'inboundUnitId');
      const current = await this.settings(scope.orgId);
      await manager.query(
        `INSERT INTO ticket_settings (org_id, follow_up_days, inbound_unit_id, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET follow_up_days = EXCLUDED.follow_up_days,
           inbound_unit_id = EXCLUDED.inbound_unit_id, updated_at = EXCLUDED.updated_at,
           version = ticket_settings.version + 1`,
        [
          scope.orgId,
          dto.followUpDays ?? current.followUpDays,
          dto.inboundUnitId === undefined ? current.inboundUnitId : dto.inboundUnitId,
          this.clock.now(),
        ],
      );
      return {
        followUpDays: dto.followUpDays ?? current.followUpDays,
        inboundUnitId: dto.inboundUnitId === undefined ? current.inboundUnitId : dto.inboundUnitId,
      };
    });
  }

  private async describe(manager: EntityManager, orgId: string, unitId: string): Promise<TicketQueueDto> {
    const [queue]: { auto_assign: AutoAssignMode }[] = await manager.query(
      'SELECT auto_assign FROM ticket_queues WHERE org_id = $1 AND unit_id = $2',
      [orgId, unitId],
    );
    const [{ n }]: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM tickets
       WHERE org_id = $1 AND unit_id = $2 AND assignee_id IS NULL AND state = ANY($3::text[])`,
      [orgId, unitId, ACTIVE_STATES],
    );
    return {
      unitId,
      autoAssign: queue?.auto_assign ?? 'none',
      agentIds: await queueAgents(manager, orgId, unitId),
      unassigned: n,
    };
  }

  private async unitInScope(manager: EntityManager, scope: DataScope, unitId: string): Promise<void> {
    const rows: { path: string }[] = await manager.query(
      'SELECT path::text AS path FROM org_units WHERE id = $1 AND org_id = $2',
      [unitId, scope.orgId],
    );
    if (!rows[0] || !scope.permitsUnit(rows[0].path, null)) throw DomainError.notFound('Queue');
  }
}
