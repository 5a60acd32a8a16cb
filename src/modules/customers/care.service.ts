import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, PageQueryDto } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import {
  CarePlanDto,
  CareTaskDto,
  CareTaskStatus,
  CompleteCareTaskDto,
  CreateCarePlanDto,
  ListCareTasksQueryDto,
  UpdateCarePlanDto,
} from './care.dto';
import { recordCustomerEvent } from './customer-events';
import { assertOrganizationWide } from './segments.service';

/** Care dates are local days; the organization time zone is not configurable yet (DESIGN.md default). */
export const CARE_TIME_ZONE = 'Asia/Shanghai';

interface PlanRow {
  id: string;
  tier: string;
  interval_days: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

interface TaskRow {
  id: string;
  customer_id: string;
  customer_name: string;
  tier: string;
  plan_id: string;
  owner_id: string | null;
  due_on: string;
  status: CareTaskStatus;
  note: string | null;
  completed_at: Date | null;
  created_at: Date;
}

const planDto = (r: PlanRow): CarePlanDto => ({
  id: r.id,
  tier: r.tier,
  intervalDays: r.interval_days,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const taskDto = (r: TaskRow): CareTaskDto => ({
  id: r.id,
  customerId: r.customer_id,
  customerName: r.customer_name,
  tier: r.tier,
  planId: r.plan_id,
  ownerId: r.owner_id,
  dueOn: r.due_on,
  status: r.status,
  note: r.note,
  completedAt: r.completed_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

/**
 * Regular contact: a care plan per tier says how often its customers are contacted; the care-task job
 * opens a task for each customer due, for the customer's owner; completing it with a note records the
 * contact, and the next task falls due one interval later.
 */
@Injectable()
export class CareService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async listPlans(scope: DataScope, query: PageQueryDto): Promise<Page<CarePlanDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['p.id AS id', 'p.tier AS tier', 'p.interval_days AS interval_days', 'p.active AS active'])
      .addSelect(['p.created_at AS created_at', 'p.updated_at AS updated_at', 'p.version AS version'])
      .from('customer_care_plans', 'p')
      .where('p.org_id = :orgId', { orgId: scope.orgId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'p.tier', kind: 'text' }, direction: 'ASC' },
      idColumn: 'p.id',
      fetch: (q) => q.getRawMany<PlanRow>(),
      sortValue: (r) => r.tier,
      idValue: (r) => r.id,
      map: planDto,
    });
  }

  async getPlan(scope: DataScope, planId: string): Promise<Versioned<CarePlanDto>> {
    const rows: PlanRow[] = await this.dataSource.query(
      `SELECT id, tier, interval_days, active, created_at, updated_at, version FROM customer_care_plans
        WHERE org_id = $1 AND id = $2`,
      [scope.orgId, planId],
    );
    if (!rows[0]) throw DomainError.notFound('Care plan');
    return new Versioned(planDto(rows[0]), rows[0].version);
  }

  async createPlan(actor: Actor, scope: DataScope, dto: CreateCarePlanDto): Promise<Versioned<CarePlanDto>> {
    assertOrganizationWide(scope);
    const now = this.clock.now();
    const rows: { id: string }[] = await this.dataSource
      .query(
        `INSERT INTO customer_care_plans (org_id, tier, interval_days, active, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
        [scope.orgId, dto.tier, dto.intervalDays, dto.active ?? true, actor.userId, now],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '23505') {
          throw new DomainError(ErrorCode.Duplicate, 'That tier already has a care plan', {
            errors: [{ field: 'tier', message: 'already has a care plan' }],
          });
        }
        throw error;
      });
    return this.getPlan(scope, rows[0].id);
  }

  async updatePlan(
    scope: DataScope,
    planId: string,
    dto: UpdateCarePlanDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<CarePlanDto>> {
    assertOrganizationWide(scope);
    await this.dataSource.transaction(async (manager) => {
      const rows: PlanRow[] = await manager.query(
        `SELECT * FROM customer_care_plans WHERE org_id = $1 AND id = $2 FOR UPDATE`,
        [scope.orgId, planId],
      );
      if (!rows[0]) throw DomainError.notFound('Care plan');
      assertIfMatch(ifMatch, rows[0].version);
      await manager.query(
        `UPDATE customer_care_plans SET interval_days = $3, active = $4, updated_at = $5, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [
          scope.orgId,
          planId,
          dto.intervalDays ?? rows[0].interval_days,
          dto.active ?? rows[0].active,
          this.clock.now(),
        ],
      );
    });
    return this.getPlan(scope, planId);
  }

  /** Deleting a plan deletes its tasks too (they only exist because of it). */
  async removePlan(scope: DataScope, planId: string): Promise<void> {
    assertOrganizationWide(scope);
    // DELETE answers [rows, count] through TypeORM's query().
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM customer_care_plans WHERE org_id = $1 AND id = $2`,
      [scope.orgId, planId],
    );
    if (count === 0) throw DomainError.notFound('Care plan');
  }

  /** Tasks within the caller's scope (the customer's unit and owner), soonest due first. */
  async listTasks(actor: Actor, scope: DataScope, query: ListCareTasksQueryDto): Promise<Page<CareTaskDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select([
        't.id AS id',
        't.customer_id AS customer_id',
        'c.display_name AS customer_name',
        'c.tier AS tier',
      ])
      .addSelect([
        't.plan_id AS plan_id',
        't.owner_id AS owner_id',
        `to_char(t.due_on, 'YYYY-MM-DD') AS due_on`,
      ])
      .addSelect([
        't.status AS status',
        't.note AS note',
        't.completed_at AS completed_at',
        't.created_at AS created_at',
      ])
      .from('customer_care_tasks', 't')
      .innerJoin('customers', 'c', 'c.org_id = t.org_id AND c.id = t.customer_id')
      .where('t.status = :status', { status: query.status ?? 'open' });
    scope.apply(qb, { org: 't.org_id', unit: 't.unit_id', owner: 't.owner_id' });
    if (query.ownerId) {
      const ownerId = query.ownerId === 'me' ? actor.userId : query.ownerId;
      if (!ownerId) throw DomainError.validation('ownerId', '"me" needs a signed-in user');
      qb.andWhere('t.owner_id = :ownerId', { ownerId });
    }
    return paginate(qb, {
      query,
      sort: { key: { column: 't.due_on', kind: 'text' }, direction: 'ASC' },
      idColumn: 't.id',
      fetch: (q) => q.getRawMany<TaskRow>(),
      sortValue: (r) => r.due_on,
      idValue: (r) => r.id,
      map: taskDto,
    });
  }

  /** Completing records the contact on the customer: its last contact is now, the next task one interval on. */
  async completeTask(
    actor: Actor,
    scope: DataScope,
    taskId: string,
    dto: CompleteCareTaskDto,
  ): Promise<CareTaskDto> {
    return this.dataSource.transaction(async (manager) => {
      const qb = manager
        .createQueryBuilder()
        .select(['t.id AS id', 't.customer_id AS customer_id', 't.status AS status', 't.due_on AS due_on'])
        .from('customer_care_tasks', 't')
        .where('t.id = :taskId', { taskId })
        .setLock('pessimistic_write');
      scope.apply(qb, { org: 't.org_id', unit: 't.unit_id', owner: 't.owner_id' });
      const task = await qb.getRawOne<{ id: string; customer_id: string; status: CareTaskStatus }>();
      if (!task) throw DomainError.notFound('Care task');
      if (task.status !== 'open') {
        throw new DomainError(ErrorCode.InvalidState, `The task is ${task.status}`, {
          extensions: { currentState: task.status },
        });
      }
      const now = this.clock.now();
      await manager.query(
        `UPDATE customer_care_tasks SET status = 'done', note = $3, completed_by = $4, completed_at = $5, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [scope.orgId, task.id, dto.note, actor.userId, now],
      );
      await manager.query(
        `UPDATE customers SET last_contact_at = $3, updated_at = $3, version = version + 1 WHERE org_id = $1 AND id = $2`,
        [scope.orgId, task.customer_id, now],
      );
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: task.customer_id,
        kind: 'customer.care_contact',
        actorUserId: actor.userId,
        details: { taskId: task.id, note: dto.note },
        at: now,
      });
      const rows: TaskRow[] = await manager.query(
        `SELECT t.id, t.customer_id, c.display_name AS customer_name, c.tier, t.plan_id, t.owner_id,
                to_char(t.due_on, 'YYYY-MM-DD') AS due_on, t.status, t.note, t.completed_at, t.created_at
           FROM customer_care_tasks t JOIN customers c ON c.org_id = t.org_id AND c.id = t.customer_id
          WHERE t.org_id = $1 AND t.id = $2`,
        [scope.orgId, task.id],
      );
      return taskDto(rows[0]);
    });
  }

  /**
   * Opens a task for every live customer whose tier has an active plan and whose next contact date
   * (last contact, else creation, plus the interval, as a local date) has come, unless it already has
   * an open task. One INSERT … SELECT: the unique keys (one task per customer and due date, one open
   * task per customer) make a concurrent or repeated run insert nothing twice. Returns how many opened.
   */
  async generateDueTasks(): Promise<number> {
    const opened: { id: string }[] = await this.dataSource.query(
      `WITH due AS (
         SELECT c.org_id, c.id AS customer_id, p.id AS plan_id, c.owner_id, c.unit_id,
                (COALESCE(c.last_contact_at, c.created_at) AT TIME ZONE $2)::date + p.interval_days AS due_on
           FROM customer_care_plans p
           JOIN customers c ON c.org_id = p.org_id AND c.tier = p.tier AND c.status = 'active'
          WHERE p.active
       )
       INSERT INTO customer_care_tasks (org_id, customer_id, plan_id, owner_id, unit_id, due_on, created_at)
       SELECT org_id, customer_id, plan_id, owner_id, unit_id, due_on, $1 FROM due
        WHERE due_on <= ($1::timestamptz AT TIME ZONE $2)::date
          AND NOT EXISTS (SELECT 1 FROM customer_care_tasks t
                           WHERE t.org_id = due.org_id AND t.customer_id = due.customer_id AND t.status = 'open')
       ON CONFLICT DO NOTHING RETURNING id`,
      [this.clock.now(), CARE_TIME_ZONE],
    );
    return opened.length;
  }
}
