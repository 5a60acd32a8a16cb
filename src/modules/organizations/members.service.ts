import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { PreparedQueries } from '../../platform/database/prepared-queries';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginateSql, parseSort, SortKey } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { memberInScope, unitPathOf } from '../access/org-lookups';
import { GrantsService } from '../access/grants.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import {
  InvitationDto,
  InviteMemberDto,
  ListMembersQueryDto,
  MemberDto,
  UpdateMemberDto,
} from './member.dto';
import { OrgInvitation } from './org-invitation.entity';
import { toInvitationDto } from './invitations.service';

const INVITATION_DAYS = 7;

const MEMBER_SORT_KEYS: Record<string, SortKey> = {
  joinedAt: { column: 'm.joined_at', kind: 'timestamp', milliseconds: true },
  username: { column: 'u.username', kind: 'text' },
};

// joined_at is stored to the millisecond; PostgreSQL writes it as the ISO text the API answers, so
// the list parses no dates (parsing and re-printing them was a tenth of the list's JavaScript time).
const MEMBER_COLUMNS = `m.user_id, u.username, u.email, m.unit_id, m.status,
  to_char(m.joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS joined_at`;

const MEMBER_LIST_SELECT = `SELECT ${MEMBER_COLUMNS} FROM org_members m JOIN users u ON u.id = m.user_id`;

interface MemberRow {
  user_id: string;
  username: string;
  email: string | null;
  unit_id: string;
  status: 'active' | 'removed';
  /** ISO 8601 in UTC, to the millisecond. */
  joined_at: string;
}

const toMemberDto = (row: MemberRow): MemberDto => ({
  userId: row.user_id,
  username: row.username,
  email: row.email,
  unitId: row.unit_id,
  status: row.status,
  joinedAt: row.joined_at,
});

/** Members of an organization, each sitting in a primary unit, which is what `members:*` scopes by. */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prepared: PreparedQueries,
    private readonly clock: Clock,
    private readonly grants: GrantsService,
    private readonly apiKeys: ApiKeysService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * One statement: the scope predicate (and a deferred access check) in SQL before the keyset page,
   * nothing fetched to be dropped. Written as SQL rather than with the query builder: this is the list
   * our request-path throughput is measured on (docs/operations.md), and building it cost a tenth of
   * the request.
   */
  async listMembers(scope: DataScope, query: ListMembersQueryDto): Promise<Page<MemberDto>> {
    const values: unknown[] = [];
    const bind = (_name: string, value: unknown) => `$${values.push(value)}`;
    const where = [
      `m.status = ${bind('status', query.status ?? 'active')}`,
      ...scope.predicate({ org: 'm.org_id', unit: 'm.unit_id', owner: 'm.user_id' }, bind),
    ];
    if (query.unitId) where.push(`m.unit_id = CAST(${bind('unitId', query.unitId)} AS uuid)`);
    const sort = parseSort(query.sort, MEMBER_SORT_KEYS, 'joinedAt');
    const page = await paginateSql<MemberDto, MemberRow>(
      { select: MEMBER_LIST_SELECT, where, values },
      (text, parameters) => this.prepared.statement<MemberRow>(text, parameters),
      {
        query,
        sort,
        idColumn: 'm.user_id',
        sortValue: (row) => (sort.key === MEMBER_SORT_KEYS.username ? row.username : row.joined_at),
        idValue: (row) => row.user_id,
        map: toMemberDto,
      },
    );
    scope.statementSucceeded();
    return page;
  }

  async inviteMember(actor: Actor, scope: DataScope, dto: InviteMemberDto): Promise<InvitationDto> {
    return this.dataSource.transaction(async (manager) => {
      const unit = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
      if (!scope.permitsUnit(unit)) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your members:manage scope does not cover that unit',
        );
      }
      const users: { id: string }[] = await manager.query(
        `SELECT id FROM users WHERE status = 'active' AND (lower(username) = lower($1) OR lower(email) = lower($1) OR phone = $1)`,
        [dto.login],
      );
      if (!users[0])
        throw new DomainError(ErrorCode.ReferenceNotFound, 'No user has that username, email or phone', {
          errors: [{ field: 'login', message: 'no such user' }],
        });
      const userId = users[0].id;
      const existing: unknown[] = await manager.query(
        `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
        [scope.orgId, userId],
      );
      if (existing.length > 0) throw new DomainError(ErrorCode.Duplicate, 'That user is already a member');
      if ((dto.roleId === undefined) !== (dto.scope === undefined)) {
        throw DomainError.validation(dto.roleId ? 'scope' : 'roleId', 'roleId and scope go together');
      }
      if (dto.roleId && dto.scope) {
        await this.grants.assertGrantable(manager, actor, {
          roleId: dto.roleId,
          unitId: dto.unitId,
          scope: dto.scope,
        });
      }
      const now = this.clock.now();
      const invitation = await manager.save(
        manager.create(OrgInvitation, {
          orgId: scope.orgId,
          userId,
          unitId: dto.unitId,
          invitedBy: actor.userId,
          roleId: dto.roleId ?? null,
          scope: dto.scope ?? null,
          status: 'pending',
          expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
        }),
      );
      const [{ name }] = await manager.query('SELECT name FROM organizations WHERE id = $1', [scope.orgId]);
      await this.notifications.notify(manager, {
        userIds: [userId],
        orgId: scope.orgId,
        type: 'organization.invitation',
        title: `You are invited to join ${name}`,
        body: 'Accept or decline the invitation from your invitations list.',
        data: { invitationId: invitation.id },
      });
      return toInvitationDto(invitation, name);
    });
  }

  async updateMember(scope: DataScope, userId: string, dto: UpdateMemberDto): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      await memberInScope(manager, scope, userId, { lock: true });
      const target = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
      if (!scope.permitsUnit(target)) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your members:manage scope does not cover that unit',
        );
      }
      await manager.query(
        `UPDATE org_members SET unit_id = $3, updated_at = now(), version = version + 1 WHERE org_id = $1 AND user_id = $2`,
        [scope.orgId, userId, dto.unitId],
      );
      return this.memberRow(manager, scope.orgId, userId);
    });
  }

  /** Removal ends membership, revokes the member's grants and the API keys they created. */
  async removeMember(actor: Actor, scope: DataScope, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.grants.lockOrganization(manager, scope.orgId);
      await memberInScope(manager, scope, userId, { lock: true });
      const ownsOrg: unknown[] = await manager.query(
        `SELECT 1 FROM access_grants g JOIN roles r ON r.id = g.role_id AND r.system_key = 'owner'
         WHERE g.org_id = $1 AND g.user_id = $2 AND g.scope = 'org'`,
        [scope.orgId, userId],
      );
      if (ownsOrg.length > 0) await this.grants.assertAnotherOwner(manager, scope.orgId, userId);
      await manager.query('DELETE FROM access_grants WHERE org_id = $1 AND user_id = $2', [
        scope.orgId,
        userId,
      ]);
      await this.apiKeys.revokeKeysCreatedBy(manager, scope.orgId, userId);
      await manager.query(
        `UPDATE org_members SET status = 'removed', removed_at = $3, updated_at = now(), version = version + 1
         WHERE org_id = $1 AND user_id = $2`,
        [scope.orgId, userId, this.clock.now()],
      );
      if (userId !== actor.userId) {
        await this.notifications.notify(manager, {
          userIds: [userId],
          orgId: scope.orgId,
          type: 'organization.member.removed',
          title: 'You were removed from an organization',
          body: 'Your membership and permissions in this organization have ended.',
        });
      }
    });
  }

  private async memberRow(manager: EntityManager, orgId: string, userId: string): Promise<MemberDto> {
    const rows: MemberRow[] = await manager.query(
      `SELECT ${MEMBER_COLUMNS}
       FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2`,
      [orgId, userId],
    );
    return toMemberDto(rows[0]);
  }
}
