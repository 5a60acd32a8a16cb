import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { AccessGrant } from './access-grant.entity';
import { AccessRepository } from './access.repository';
import { Actor, DataScopeKind } from './actor';
import { DataScope } from './data-scope';
import { memberInScope, unitPathOf } from './org-lookups';
import { canDelegate } from './delegation';
import {
  CreateGrantDto,
  EffectivePermissionDto,
  EffectivePermissionsDto,
  GrantDto,
  GrantListDto,
} from './grant.dto';
import {
  isPermissionCode,
  isPlatformPermission,
  PERMISSIONS,
  PermissionCode,
  rolePermissions,
} from './permission-catalogue';
import { RolesService } from './roles.service';

/** Who a grant is for: a member of the organization or one of its API keys. */
export type GrantHolder = { userId: string; apiKeyId?: never } | { apiKeyId: string; userId?: never };

interface GrantRow {
  id: string;
  role_id: string | null;
  role_name: string | null;
  permission: string | null;
  effect: 'allow' | 'deny';
  unit_id: string;
  scope: DataScopeKind;
  granted_by: string | null;
  created_at: Date;
}

const toGrantDto = (row: GrantRow): GrantDto => ({
  id: row.id,
  roleId: row.role_id,
  roleName: row.role_name,
  permission: row.permission,
  effect: row.effect,
  unitId: row.unit_id,
  scope: row.scope,
  grantedBy: row.granted_by,
  createdAt: row.created_at.toISOString(),
});

/**
 * Grants: who holds what, where. Every grant (through this endpoint, an invitation or an API key) goes
 * through `grant`, which enforces that nobody grants more than they hold, and tells the affected member.
 */
@Injectable()
export class GrantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roles: RolesService,
    private readonly access: AccessRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async listMemberGrants(scope: DataScope, userId: string): Promise<GrantListDto> {
    await memberInScope(this.dataSource.manager, scope, userId);
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT g.id, g.role_id, r.name AS role_name, g.permission, g.effect, g.unit_id, g.scope, g.granted_by, g.created_at
       FROM access_grants g LEFT JOIN roles r ON r.id = g.role_id
       WHERE g.org_id = $1 AND g.user_id = $2 ORDER BY g.created_at, g.id`,
      [scope.orgId, userId],
    );
    return { items: rows.map(toGrantDto), nextCursor: null };
  }

  async addMemberGrant(
    actor: Actor,
    scope: DataScope,
    userId: string,
    dto: CreateGrantDto,
  ): Promise<GrantDto> {
    return this.dataSource.transaction(async (manager) => {
      await memberInScope(manager, scope, userId);
      const grant = await this.grant(manager, actor, { userId }, dto);
      await this.notifyChange(manager, scope.orgId, userId, 'A permission was granted to you', grant.id);
      return grant;
    });
  }

  async revokeMemberGrant(actor: Actor, scope: DataScope, userId: string, grantId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.lockOrganization(manager, scope.orgId);
      await memberInScope(manager, scope, userId);
      const rows: (GrantRow & {
        unit_path: string;
        system_key: string | null;
        role_permissions: string[] | null;
      })[] = await manager.query(
        `SELECT g.*, u.path::text AS unit_path, r.system_key, r.permissions AS role_permissions FROM access_grants g
         JOIN org_units u ON u.id = g.unit_id LEFT JOIN roles r ON r.id = g.role_id
         WHERE g.id = $1 AND g.org_id = $2 AND g.user_id = $3`,
        [grantId, scope.orgId, userId],
      );
      const row = rows[0];
      if (!row) throw DomainError.notFound('Grant');
      // Revoking is delegating in reverse: only someone who could have given it may take it away.
      this.assertDelegable(actor, this.codesOf(actor, row), {
        scope: row.scope,
        unitPath: row.unit_path,
      });
      if (row.system_key === 'owner' && row.scope === 'org')
        await this.assertAnotherOwner(manager, scope.orgId, userId);
      await manager.delete(AccessGrant, { id: grantId, orgId: scope.orgId });
      await this.notifyChange(manager, scope.orgId, userId, 'A permission of yours was revoked', grantId);
    });
  }

  async effectivePermissions(scope: DataScope, userId: string): Promise<EffectivePermissionsDto> {
    await memberInScope(this.dataSource.manager, scope, userId);
    const snapshot = await this.access.loadMemberGrants(scope.orgId, userId);
    const byPermission = new Map<PermissionCode, EffectivePermissionDto>();
    for (const grant of snapshot) {
      const entry =
        byPermission.get(grant.permission) ??
        ({
          permission: grant.permission,
          module: PERMISSIONS[grant.permission].module,
          allowed: false,
          scopes: [],
          sources: [],
        } as EffectivePermissionDto);
      entry.sources.push({
        grantId: grant.grantId,
        effect: grant.effect,
        scope: grant.scope,
        unitId: grant.unitId,
        roleId: grant.roleId,
        roleName: grant.roleName,
      });
      byPermission.set(grant.permission, entry);
    }
    for (const entry of byPermission.values()) {
      const dataScope = new DataScope(scope.orgId, entry.permission as PermissionCode, userId, snapshot);
      entry.allowed = !dataScope.isEmpty;
      entry.scopes = [...new Set(dataScope.allows.map((g) => g.scope))];
    }
    return {
      userId,
      permissions: [...byPermission.values()].sort((a, b) => a.permission.localeCompare(b.permission)),
    };
  }

  /**
   * Creates one grant after checking the granter may delegate it. Shared by member grants, invitations
   * and API keys so the rule cannot drift between them. Runs inside the caller's transaction.
   */
  async grant(
    manager: EntityManager,
    actor: Actor,
    holder: GrantHolder,
    dto: CreateGrantDto,
  ): Promise<GrantDto> {
    const orgId = actor.orgId!;
    const { roleName } = await this.assertGrantable(manager, actor, dto);
    const saved = await manager.save(
      manager.create(AccessGrant, {
        orgId,
        userId: holder.userId ?? null,
        apiKeyId: holder.apiKeyId ?? null,
        roleId: dto.roleId ?? null,
        permission: dto.roleId ? null : dto.permission!,
        effect: dto.roleId ? 'allow' : (dto.effect ?? 'allow'),
        unitId: dto.unitId,
        scope: dto.scope,
        grantedBy: actor.userId,
      }),
    );
    return toGrantDto({
      id: saved.id,
      role_id: saved.roleId,
      role_name: roleName,
      permission: saved.permission,
      effect: saved.effect,
      unit_id: saved.unitId,
      scope: saved.scope,
      granted_by: saved.grantedBy,
      created_at: saved.createdAt,
    });
  }

  /**
   * Checks that the actor may give `dto` (unit in this organization, known role or permission, within
   * their own authority) without writing anything. Invitations check a role up front with this.
   */
  async assertGrantable(
    manager: EntityManager,
    actor: Actor,
    dto: Pick<CreateGrantDto, 'roleId' | 'permission' | 'unitId' | 'scope'>,
  ): Promise<{ roleName: string | null }> {
    const orgId = actor.orgId!;
    const unitPath = await unitPathOf(manager, orgId, dto.unitId, 'unitId');
    if (dto.roleId) {
      const role = await this.roles.getRoleForGrant(manager, orgId, dto.roleId);
      this.assertDelegable(actor, rolePermissions(role, actor.orgKind!), { scope: dto.scope, unitPath });
      return { roleName: role.name };
    }
    const permission = dto.permission ?? '';
    if (!isPermissionCode(permission) || (actor.orgKind !== 'platform' && isPlatformPermission(permission))) {
      throw new DomainError(ErrorCode.Unprocessable, 'Unknown permission code', {
        errors: [{ field: 'permission', message: `unknown permission code ${permission}` }],
      });
    }
    this.assertDelegable(actor, [permission], { scope: dto.scope, unitPath });
    return { roleName: null };
  }

  /** Serializes owner changes in one organization so two concurrent demotions cannot both pass. */
  async lockOrganization(manager: EntityManager, orgId: string): Promise<void> {
    await manager.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [orgId]);
  }

  /** Refuses when `userId` is the organization's only remaining owner (org-wide owner grant). */
  async assertAnotherOwner(manager: EntityManager, orgId: string, userId: string): Promise<void> {
    const [{ count }] = await manager.query(
      `SELECT count(DISTINCT g.user_id)::int AS count FROM access_grants g
       JOIN roles r ON r.id = g.role_id AND r.system_key = 'owner'
       JOIN org_members m ON m.org_id = g.org_id AND m.user_id = g.user_id AND m.status = 'active'
       WHERE g.org_id = $1 AND g.scope = 'org' AND g.user_id <> $2`,
      [orgId, userId],
    );
    if (count === 0)
      throw new DomainError(ErrorCode.LastOwner, 'The organization must keep at least one owner');
  }

  async notifyChange(manager: EntityManager, orgId: string, userId: string, title: string, grantId: string) {
    await this.notifications.notify(manager, {
      userIds: [userId],
      orgId,
      type: 'access.grants.changed',
      title,
      body: 'Your permissions in this organization changed; they apply from your next request.',
      data: { grantId },
    });
  }

  private assertDelegable(
    actor: Actor,
    codes: readonly PermissionCode[],
    target: { scope: DataScopeKind; unitPath: string },
  ) {
    const missing = codes.filter((code) => !canDelegate(actor.grants, code, target));
    if (missing.length > 0) {
      throw new DomainError(
        ErrorCode.GrantEscalation,
        'You cannot grant permissions or scopes beyond your own',
        {
          extensions: { permissions: missing },
        },
      );
    }
  }

  private codesOf(
    actor: Actor,
    row: GrantRow & { system_key: string | null; role_permissions: string[] | null },
  ): readonly PermissionCode[] {
    if (row.role_id)
      return rolePermissions(
        { systemKey: row.system_key, permissions: row.role_permissions },
        actor.orgKind!,
      );
    return row.permission && isPermissionCode(row.permission) ? [row.permission] : [];
  }
}
