import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { AccountAccess, SocialAccountAccess } from './account-access.service';
import { AssignmentDto, AssignmentListDto, CreateAssignmentDto } from './assignment.dto';
import { UsageRecordsService } from './usage-records/usage-records.service';

interface AssignmentRow {
  id: string;
  account_id: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  member_id: string | null;
  member_username: string | null;
  created_by: string | null;
  created_at: Date;
}

const toDto = (row: AssignmentRow): AssignmentDto => ({
  id: row.id,
  accountId: row.account_id,
  unitId: row.unit_id,
  unitName: row.unit_name,
  memberId: row.member_id,
  memberUsername: row.member_username,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

/**
 * Inside an agency, which units and members operate an authorized account. An assignment is a row of
 * the agency (unit + optional member), so the member's own data scope decides whether it covers them.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly access: SocialAccountAccess,
    private readonly usage: UsageRecordsService,
  ) {}

  /** The account's assignments in the caller's agency that the caller's scope covers. */
  async list(scope: DataScope, accountId: string): Promise<AssignmentListDto> {
    await this.agencyAccess(scope, accountId, this.dataSource.manager);
    const rows = await this.rows(this.dataSource.manager, scope.orgId, accountId);
    return {
      items: rows.filter((r) => scope.permits({ unitPath: r.unit_path, ownerId: r.member_id })).map(toDto),
      nextCursor: null,
    };
  }

  async create(
    actor: Actor,
    scope: DataScope,
    accountId: string,
    dto: CreateAssignmentDto,
  ): Promise<AssignmentDto> {
    return this.dataSource.transaction(async (manager) => {
      const access = await this.agencyAccess(scope, accountId, manager);
      const unitPath = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
      if (dto.memberId) {
        const members: unknown[] = await manager.query(
          `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
          [scope.orgId, dto.memberId],
        );
        if (members.length === 0) {
          throw new DomainError(ErrorCode.ReferenceNotFound, 'No such member in this organization', {
            errors: [{ field: 'memberId', message: 'not an active member' }],
          });
        }
      }
      if (!scope.permits({ unitPath, ownerId: dto.memberId ?? null })) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your assignments:manage scope does not cover that unit',
        );
      }
      const existing: unknown[] = await manager.query(
        `SELECT 1 FROM account_assignments WHERE org_id = $1 AND account_id = $2 AND unit_id = $3
           AND member_id IS NOT DISTINCT FROM $4`,
        [scope.orgId, accountId, dto.unitId, dto.memberId ?? null],
      );
      if (existing.length > 0) throw new DomainError(ErrorCode.Duplicate, 'That assignment already exists');
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO account_assignments (org_id, account_id, unit_id, member_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [scope.orgId, accountId, dto.unitId, dto.memberId ?? null, actor.userId, this.clock.now()],
      );
      await this.usage.append(manager, {
        accountId,
        brandOrgId: access.brandOrgId,
        action: 'assignment.added',
        actor,
        actorOrgId: scope.orgId,
        agencyOrgId: scope.orgId,
        details: { assignmentId: id, unitId: dto.unitId, memberId: dto.memberId ?? null },
      });
      const row = (await this.rows(manager, scope.orgId, accountId)).find((r) => r.id === id)!;
      return toDto(row);
    });
  }

  async remove(actor: Actor, scope: DataScope, accountId: string, assignmentId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const access = await this.agencyAccess(scope, accountId, manager);
      const row = (await this.rows(manager, scope.orgId, accountId)).find((r) => r.id === assignmentId);
      if (!row || !scope.permits({ unitPath: row.unit_path, ownerId: row.member_id })) {
        throw DomainError.notFound('Assignment');
      }
      await manager.query(`DELETE FROM account_assignments WHERE id = $1`, [assignmentId]);
      await this.usage.append(manager, {
        accountId,
        brandOrgId: access.brandOrgId,
        action: 'assignment.removed',
        actor,
        actorOrgId: scope.orgId,
        agencyOrgId: scope.orgId,
        details: { assignmentId, unitId: row.unit_id, memberId: row.member_id },
      });
    });
  }

  /** Assignments are the agency's own: the brand that owns the account has none to make. */
  private async agencyAccess(
    scope: DataScope,
    accountId: string,
    manager: EntityManager,
  ): Promise<AccountAccess> {
    const access = await this.access.require(scope, accountId, { operable: false }, manager);
    if (access.via !== 'agency') {
      throw new DomainError(
        ErrorCode.Unprocessable,
        'Assignments are made by the agency operating the account',
      );
    }
    return access;
  }

  private rows(manager: EntityManager, orgId: string, accountId: string): Promise<AssignmentRow[]> {
    return manager.query(
      `SELECT s.id, s.account_id, s.unit_id, u.name AS unit_name, u.path::text AS unit_path, s.member_id,
              usr.username AS member_username, s.created_by, s.created_at
         FROM account_assignments s
         JOIN org_units u ON u.id = s.unit_id
         LEFT JOIN users usr ON usr.id = s.member_id
        WHERE s.org_id = $1 AND s.account_id = $2
        ORDER BY s.created_at, s.id`,
      [orgId, accountId],
    );
  }
}
