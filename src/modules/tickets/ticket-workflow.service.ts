import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Versioned } from '../../platform/http/etag';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { isQueueAgent } from './ticket-agents';
import { TicketAutoAssignment } from './ticket-assignment';
import { TicketActor, TicketEvents } from './ticket-events';
import { TicketSlaViews } from './ticket-sla-view';
import { loadTicket, ticketInScope, TicketRow, toTicketDto } from './ticket-row';
import { nextState, TicketAction, TicketState, TRANSITIONS } from './ticket-state';
import { AssignTicketDto, IdentityCheckDto, TicketDto } from './ticket.dto';
import { notEligible } from './tickets.service';

/**
 * Moves tickets through the state table, hands them to members and queues, and records the identity
 * check. Every change locks the ticket row, writes the row and its event in one transaction, and
 * reaches the change listeners there.
 */
@Injectable()
export class TicketWorkflow {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly events: TicketEvents,
    private readonly autoAssignment: TicketAutoAssignment,
    private readonly slaViews: TicketSlaViews,
  ) {}

  async transition(
    actor: Actor,
    scope: DataScope,
    id: string,
    action: TicketAction,
    reason?: string,
  ): Promise<Versioned<TicketDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const before = await ticketInScope(manager, scope, id, { lock: true });
      if (action === 'escalate' && !reason) throw DomainError.validation('reason', 'is required to escalate');
      const row = await this.move(manager, before, action, nextState(before.state, action), {
        by: { kind: 'member', actor },
        reason: reason ?? null,
      });
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  /**
   * Writes a state change the caller has already checked against the table, with its timestamps and
   * event. `action` names it in the history (`resolve`, `customer_reopen`, `customer_replied`…).
   */
  async move(
    manager: EntityManager,
    before: TicketRow,
    action: string,
    to: TicketState,
    options: { by: TicketActor; reason?: string | null; data?: Record<string, unknown> },
  ): Promise<TicketRow> {
    const now = this.clock.now();
    await manager.query(
      `UPDATE tickets SET state = $2::varchar, state_changed_at = $3, updated_at = $3, version = version + 1,
         resolved_at = CASE WHEN $2::varchar = 'resolved' THEN $3 WHEN $2::varchar = 'closed' THEN resolved_at ELSE NULL END,
         closed_at = CASE WHEN $2::varchar = 'closed' THEN $3 ELSE NULL END
       WHERE id = $1`,
      [before.id, to, now],
    );
    const row = await loadTicket(manager, before.org_id, before.id);
    await this.events.record(manager, {
      action,
      from: before.state,
      to,
      ticket: row,
      by: options.by,
      reason: options.reason ?? null,
      data: options.data ?? {},
      at: now,
    });
    return row;
  }

  /**
   * The system escalates tickets (the SLA breach sweep), set-based: each ticket the state table lets
   * escalate moves to `escalated` with its event, in the caller's transaction; optionally handed to a
   * new assignee at the same time (`assignees`, by ticket id). The caller holds the rows locked.
   * Returns the tickets moved.
   */
  async escalateBySystem(
    manager: EntityManager,
    ticketIds: readonly string[],
    reason: string,
    data: Record<string, unknown> = {},
    assignees: ReadonlyMap<string, string> = new Map(),
  ): Promise<TicketRow[]> {
    if (ticketIds.length === 0) return [];
    const now = this.clock.now();
    const moved: (TicketRow & { from_state: TicketState; from_assignee_id: string | null })[] =
      await manager.query(
        `WITH before AS (
         SELECT t.id, t.state, t.assignee_id, a.assignee_id AS new_assignee_id FROM tickets t
           LEFT JOIN jsonb_to_recordset($4::jsonb) AS a(ticket_id uuid, assignee_id uuid) ON a.ticket_id = t.id
          WHERE t.id = ANY($1::uuid[]) AND t.state = ANY($2::text[]))
       , moved AS (
         UPDATE tickets t SET state = 'escalated', state_changed_at = $3, updated_at = $3, version = t.version + 1,
                resolved_at = NULL, closed_at = NULL, assignee_id = COALESCE(before.new_assignee_id, t.assignee_id)
           FROM before WHERE t.id = before.id
         RETURNING t.*, before.state AS from_state, before.assignee_id AS from_assignee_id)
       SELECT * FROM moved`,
        [
          ticketIds,
          TRANSITIONS.escalate.from,
          now,
          JSON.stringify([...assignees].map(([ticket_id, assignee_id]) => ({ ticket_id, assignee_id }))),
        ],
      );
    const rows = moved.map(({ from_state: _from, from_assignee_id: _assignee, ...row }) => row as TicketRow);
    await this.events.recordSystemChanges(
      manager,
      moved.map((m, i) => ({
        action: 'escalate',
        from: m.from_state,
        to: 'escalated' as TicketState,
        ticket: rows[i],
        reason,
        data: {
          ...data,
          ...(m.assignee_id !== m.from_assignee_id
            ? { fromAssigneeId: m.from_assignee_id, assigneeId: m.assignee_id }
            : {}),
        },
        at: now,
      })),
    );
    return rows;
  }

  /**
   * Hands a ticket to a member of its unit's queue, back to the queue (null), or to another unit's queue
   * (whose auto-assignment then applies). The caller's `tickets:assign` scope must cover the ticket and
   * the target unit; the member must be able to hold it (`tickets:write` over the unit, 422 otherwise).
   */
  async assign(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: AssignTicketDto,
  ): Promise<Versioned<TicketDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const before = await ticketInScope(manager, scope, id, { lock: true });
      if (dto.assigneeId === undefined && dto.unitId === undefined) {
        throw DomainError.validation('assigneeId', 'give assigneeId, unitId or both');
      }
      assertOpenForWork(before);
      const unitId = dto.unitId ?? before.unit_id;
      if (dto.unitId && dto.unitId !== before.unit_id) {
        const path = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
        if (!scope.permitsUnit(path, null)) {
          throw new DomainError(
            ErrorCode.PermissionDenied,
            'Your tickets:assign scope does not cover that unit',
          );
        }
      }
      let assigneeId: string | null;
      if (dto.assigneeId) {
        if (!(await isQueueAgent(manager, scope.orgId, unitId, dto.assigneeId)))
          throw notEligible('assigneeId');
        assigneeId = dto.assigneeId;
      } else if (dto.assigneeId === null || unitId !== before.unit_id) {
        assigneeId = await this.autoAssignment.pick(manager, scope.orgId, unitId);
      } else {
        assigneeId = before.assignee_id;
      }
      const row = await this.setHolder(
        manager,
        before,
        unitId,
        assigneeId,
        { kind: 'member', actor },
        'assigned',
      );
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  /** An agent of the queue takes an unassigned ticket; a ticket someone holds already is 409. */
  async claim(actor: Actor, scope: DataScope, id: string): Promise<Versioned<TicketDto>> {
    const userId = actor.userId;
    if (!userId) throw new DomainError(ErrorCode.PermissionDenied, 'Only a member can claim a ticket');
    const result = await this.dataSource.transaction(async (manager) => {
      const before = await ticketInScope(manager, scope, id, { lock: true });
      assertOpenForWork(before);
      if (before.assignee_id) {
        throw new DomainError(ErrorCode.TicketAlreadyAssigned, 'Someone holds this ticket already', {
          extensions: { assigneeId: before.assignee_id },
        });
      }
      if (
        !scope.permitsUnit(before.unit_path, null) ||
        !(await isQueueAgent(manager, scope.orgId, before.unit_id, userId))
      ) {
        throw new DomainError(ErrorCode.PermissionDenied, "You are not an agent of this ticket's queue");
      }
      const row = await this.setHolder(
        manager,
        before,
        before.unit_id,
        userId,
        { kind: 'member', actor },
        'claimed',
      );
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  /** How the customer was identified; the first public reply waits for it (identity first). */
  async recordIdentityCheck(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: IdentityCheckDto,
  ): Promise<Versioned<TicketDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const before = await ticketInScope(manager, scope, id, { lock: true });
      assertOpenForWork(before);
      const now = this.clock.now();
      await manager.query(
        `UPDATE tickets SET identity_method = $2, identity_note = $3, identity_checked_by = $4,
           identity_checked_at = $5, updated_at = $5, version = version + 1 WHERE id = $1`,
        [id, dto.method, dto.reason ?? null, actor.userId, now],
      );
      const row = await loadTicket(manager, scope.orgId, id);
      await this.events.record(manager, {
        action: 'identity_checked',
        from: before.state,
        to: row.state,
        ticket: row,
        by: { kind: 'member', actor },
        reason: dto.reason ?? null,
        data: { method: dto.method },
        at: now,
      });
      return new Versioned(toTicketDto(row), row.version);
    });
    return this.slaViews.one(result);
  }

  private async setHolder(
    manager: EntityManager,
    before: TicketRow,
    unitId: string,
    assigneeId: string | null,
    by: TicketActor,
    action: 'assigned' | 'claimed',
  ): Promise<TicketRow> {
    const now = this.clock.now();
    await manager.query(
      `UPDATE tickets SET unit_id = $2, assignee_id = $3, updated_at = $4, version = version + 1 WHERE id = $1`,
      [before.id, unitId, assigneeId, now],
    );
    const row = await loadTicket(manager, before.org_id, before.id);
    await this.events.record(manager, {
      action,
      from: before.state,
      to: row.state,
      ticket: row,
      by,
      at: now,
      data: {
        fromUnitId: before.unit_id,
        unitId,
        fromAssigneeId: before.assignee_id,
        assigneeId,
      },
    });
    return row;
  }
}

function assertOpenForWork(row: TicketRow): void {
  if (row.state === 'closed') {
    throw new DomainError(ErrorCode.InvalidState, 'The ticket is closed', {
      extensions: { currentState: row.state },
    });
  }
}
