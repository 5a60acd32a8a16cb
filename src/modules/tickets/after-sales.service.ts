import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../platform/database/query-rows';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import {
  CompleteFollowUpDto,
  CreateTicketStepDto,
  FollowUpDto,
  FollowUpStatus,
  ListFollowUpsQueryDto,
  TicketStepDto,
  UpdateTicketStepDto,
} from './after-sales.dto';
import { ticketInScope, TicketRow } from './ticket-row';

interface StepRow {
  id: string;
  position: number;
  title: string;
  responsible_id: string | null;
  due_at: Date | null;
  done_at: Date | null;
  done_by: string | null;
}

interface FollowUpRow {
  id: string;
  ticket_id: string;
  assignee_id: string | null;
  status: FollowUpStatus;
  due_at: Date;
  opened_at: Date | null;
  done_at: Date | null;
  note: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toStepDto = (r: StepRow): TicketStepDto => ({
  id: r.id,
  position: r.position,
  title: r.title,
  responsibleId: r.responsible_id,
  dueAt: iso(r.due_at),
  done: r.done_at !== null,
  doneAt: iso(r.done_at),
  doneBy: r.done_by,
});

const toFollowUpDto = (r: FollowUpRow): FollowUpDto => ({
  id: r.id,
  ticketId: r.ticket_id,
  assigneeId: r.assignee_id,
  status: r.status,
  dueAt: r.due_at.toISOString(),
  openedAt: iso(r.opened_at),
  doneAt: iso(r.done_at),
  note: r.note,
});

/** After-sales work on a ticket: its checklist of steps and the follow-up that confirms the fix. */
@Injectable()
export class AfterSalesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async listSteps(scope: DataScope, ticketId: string): Promise<TicketStepDto[]> {
    await ticketInScope(this.dataSource.manager, scope, ticketId);
    const rows: StepRow[] = await this.dataSource.query(
      'SELECT * FROM ticket_steps WHERE ticket_id = $1 AND org_id = $2 ORDER BY position',
      [ticketId, scope.orgId],
    );
    return rows.map(toStepDto);
  }

  async addStep(scope: DataScope, ticketId: string, dto: CreateTicketStepDto): Promise<TicketStepDto> {
    return this.dataSource.transaction(async (manager) => {
      const ticket = await ticketInScope(manager, scope, ticketId, { lock: true });
      assertAfterSales(ticket);
      if (dto.responsibleId) await assertMember(manager, scope.orgId, dto.responsibleId);
      const now = this.clock.now();
      const rows: StepRow[] = await manager.query(
        `INSERT INTO ticket_steps (org_id, ticket_id, position, title, responsible_id, due_at, created_at, updated_at)
         VALUES ($1, $2, (SELECT COALESCE(max(position), 0) + 1 FROM ticket_steps WHERE ticket_id = $2), $3, $4, $5,
                 $6, $6)
         RETURNING *`,
        [
          scope.orgId,
          ticketId,
          dto.title,
          dto.responsibleId ?? null,
          dto.dueAt ? new Date(dto.dueAt) : null,
          now,
        ],
      );
      return toStepDto(rows[0]);
    });
  }

  async updateStep(
    actor: Actor,
    scope: DataScope,
    ticketId: string,
    stepId: string,
    dto: UpdateTicketStepDto,
  ): Promise<TicketStepDto> {
    return this.dataSource.transaction(async (manager) => {
      const ticket = await ticketInScope(manager, scope, ticketId, { lock: true });
      assertAfterSales(ticket);
      const rows: StepRow[] = await manager.query(
        'SELECT * FROM ticket_steps WHERE id = $1 AND ticket_id = $2 FOR UPDATE',
        [stepId, ticketId],
      );
      const step = rows[0];
      if (!step) throw DomainError.notFound('Step');
      if (dto.responsibleId) await assertMember(manager, scope.orgId, dto.responsibleId);
      const now = this.clock.now();
      const done = dto.done === undefined ? step.done_at !== null : dto.done;
      const updated = await queryRows<StepRow>(
        manager,
        `UPDATE ticket_steps SET title = $2, responsible_id = $3, due_at = $4, done_at = $5, done_by = $6,
           updated_at = $7 WHERE id = $1 RETURNING *`,
        [
          stepId,
          dto.title ?? step.title,
          dto.responsibleId === undefined ? step.responsible_id : dto.responsibleId,
          dto.dueAt === undefined ? step.due_at : dto.dueAt === null ? null : new Date(dto.dueAt),
          done ? (step.done_at ?? now) : null,
          done ? (step.done_by ?? actor.userId) : null,
          now,
        ],
      );
      return toStepDto(updated[0]);
    });
  }

  /** Follow-ups due or done, within the scope: by the ticket's unit, or one's own with a `self` scope. */
  listFollowUps(scope: DataScope, query: ListFollowUpsQueryDto): Promise<Page<FollowUpDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select('f.*')
      .from('ticket_follow_ups', 'f')
      .innerJoin('tickets', 't', 't.id = f.ticket_id AND t.org_id = f.org_id')
      .where('f.status = :status', { status: query.status ?? 'open' });
    scope.apply(qb, { org: 'f.org_id', unit: 't.unit_id', owner: 'f.assignee_id' });
    if (query.assigneeId) qb.andWhere('f.assignee_id = :assigneeId', { assigneeId: query.assigneeId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'f.due_at', kind: 'timestamp', milliseconds: true }, direction: 'ASC' },
      idColumn: 'f.id',
      fetch: (q) => q.getRawMany<FollowUpRow>(),
      sortValue: (r) => r.due_at,
      idValue: (r) => r.id,
      map: toFollowUpDto,
    });
  }

  async completeFollowUp(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: CompleteFollowUpDto,
  ): Promise<FollowUpDto> {
    return this.dataSource.transaction(async (manager) => {
      const rows: (FollowUpRow & { unit_path: string })[] = await manager.query(
        `SELECT f.*, u.path::text AS unit_path FROM ticket_follow_ups f
           JOIN tickets t ON t.id = f.ticket_id JOIN org_units u ON u.id = t.unit_id
         WHERE f.id = $1 AND f.org_id = $2 FOR UPDATE OF f`,
        [id, scope.orgId],
      );
      const row = rows[0];
      if (!row || !scope.permits({ unitPath: row.unit_path, ownerId: row.assignee_id })) {
        throw DomainError.notFound('Follow-up');
      }
      if (row.status !== 'open') {
        throw new DomainError(ErrorCode.InvalidState, `A ${row.status} follow-up cannot be completed`, {
          extensions: { currentState: row.status },
        });
      }
      const updated = await queryRows<FollowUpRow>(
        manager,
        `UPDATE ticket_follow_ups SET status = 'done', done_at = $2, done_by = $3, note = $4 WHERE id = $1 RETURNING *`,
        [id, this.clock.now(), actor.userId, dto.note ?? null],
      );
      return toFollowUpDto(updated[0]);
    });
  }
}

function assertAfterSales(ticket: TicketRow): void {
  if (ticket.type !== 'after_sales') {
    throw new DomainError(ErrorCode.Unprocessable, 'Steps belong to after-sales tickets');
  }
  if (ticket.state === 'closed') {
    throw new DomainError(ErrorCode.InvalidState, 'The ticket is closed', {
      extensions: { currentState: ticket.state },
    });
  }
}

async function assertMember(manager: EntityManager, orgId: string, userId: string): Promise<void> {
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
    [orgId, userId],
  );
  if (rows.length === 0) {
    throw new DomainError(ErrorCode.ReferenceNotFound, 'No such member in this organization', {
      errors: [{ field: 'responsibleId', message: 'member not found' }],
    });
  }
}
