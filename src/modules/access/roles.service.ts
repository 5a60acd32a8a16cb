import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch } from '../../platform/http/etag';
import { Page, paginate, parseSort } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor } from './actor';
import { DataScope } from './data-scope';
import {
  isPermissionCode,
  isPlatformPermission,
  OrganizationKind,
  PermissionCode,
  rolePermissions,
} from './permission-catalogue';
import { CreateRoleDto, ListRolesQueryDto, RoleDto, UpdateRoleDto } from './role.dto';
import { Role } from './role.entity';

export function toRoleDto(role: Role, orgKind: OrganizationKind): RoleDto {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    system: role.systemKey !== null,
    systemKey: role.systemKey,
    permissions: [...rolePermissions(role, orgKind)],
    createdAt: role.createdAt.toISOString(),
  };
}

/**
 * Custom roles. Composing a role is a way of granting, so the author must hold every permission they
 * put in it across the whole organization; otherwise a unit manager could mint a role above their station.
 */
@Injectable()
export class RolesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
  ) {}

  async listRoles(actor: Actor, scope: DataScope, query: ListRolesQueryDto): Promise<Page<RoleDto>> {
    const qb = this.dataSource.getRepository(Role).createQueryBuilder('r').where('r.org_id = :orgId', {
      orgId: scope.orgId,
    });
    return paginate(qb, {
      query,
      sort: parseSort(undefined, { createdAt: { column: 'r.created_at', kind: 'timestamp' } }, 'createdAt'),
      idColumn: 'r.id',
      sortValue: (r) => r.createdAt,
      idValue: (r) => r.id,
      map: (r) => toRoleDto(r, actor.orgKind!),
    });
  }

  async createRole(actor: Actor, scope: DataScope, dto: CreateRoleDto): Promise<RoleDto> {
    const permissions = this.validatePermissions(actor, dto.permissions);
    const role = await this.dataSource.getRepository(Role).save(
      this.dataSource.getRepository(Role).create({
        orgId: scope.orgId,
        name: dto.name,
        description: dto.description ?? null,
        systemKey: null,
        permissions,
      }),
    );
    return toRoleDto(role, actor.orgKind!);
  }

  async updateRole(actor: Actor, scope: DataScope, roleId: string, dto: UpdateRoleDto, ifMatch?: string) {
    return this.dataSource.transaction(async (manager) => {
      const role = await this.lockCustomRole(manager, scope.orgId, roleId);
      assertIfMatch(ifMatch, role.version);
      const before = new Set(role.permissions);
      if (dto.permissions) role.permissions = this.validatePermissions(actor, dto.permissions);
      if (dto.name !== undefined) role.name = dto.name;
      if (dto.description !== undefined) role.description = dto.description;
      const saved = await manager.save(role);
      const changed =
        dto.permissions !== undefined &&
        (before.size !== role.permissions.length || role.permissions.some((p) => !before.has(p)));
      if (changed) await this.notifyHolders(manager, scope.orgId, role);
      return { dto: toRoleDto(saved, actor.orgKind!), version: saved.version };
    });
  }

  /** A role still granted to someone is refused by its foreign key (409 `reference_in_use`). */
  async deleteRole(scope: DataScope, roleId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const role = await this.lockCustomRole(manager, scope.orgId, roleId);
      await manager.delete(Role, { id: role.id, orgId: scope.orgId });
    });
  }

  async getRoleForGrant(manager: EntityManager, orgId: string, roleId: string): Promise<Role> {
    const role = await manager.getRepository(Role).findOneBy({ id: roleId, orgId });
    if (!role) {
      throw new DomainError(ErrorCode.ReferenceNotFound, 'No such role in this organization', {
        errors: [{ field: 'roleId', message: 'role not found in this organization' }],
      });
    }
    return role;
  }

  private async lockCustomRole(manager: EntityManager, orgId: string, roleId: string): Promise<Role> {
    const role = await manager
      .getRepository(Role)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :roleId AND r.org_id = :orgId', { roleId, orgId })
      .getOne();
    if (!role) throw DomainError.notFound('Role');
    if (role.systemKey)
      throw new DomainError(ErrorCode.Unprocessable, 'System roles cannot be changed or deleted');
    return role;
  }

  private validatePermissions(actor: Actor, codes: string[]): PermissionCode[] {
    const errors = codes
      .map((code, index) => ({ code, index }))
      .filter(
        ({ code }) => !isPermissionCode(code) || (actor.orgKind !== 'platform' && isPlatformPermission(code)),
      )
      .map(({ code, index }) => ({
        field: `permissions.${index}`,
        message: `unknown permission code ${code}`,
      }));
    if (errors.length > 0)
      throw new DomainError(ErrorCode.Unprocessable, 'Unknown permission codes', { errors });
    const valid = codes as PermissionCode[];
    const notHeld = valid.filter(
      (code) => !new DataScope(actor.orgId!, code, actor.userId, actor.grants).coversOrganization,
    );
    if (notHeld.length > 0) {
      throw new DomainError(
        ErrorCode.GrantEscalation,
        'You can only put permissions you hold organization-wide in a role',
        {
          extensions: { permissions: notHeld },
        },
      );
    }
    return valid;
  }

  private async notifyHolders(manager: EntityManager, orgId: string, role: Role): Promise<void> {
    const holders: { user_id: string }[] = await manager.query(
      'SELECT DISTINCT user_id FROM access_grants WHERE role_id = $1 AND user_id IS NOT NULL',
      [role.id],
    );
    if (holders.length === 0) return;
    await this.notifications.notify(manager, {
      userIds: holders.map((h) => h.user_id),
      orgId,
      type: 'access.role.changed',
      title: 'Your permissions changed',
      body: `The permissions of your role "${role.name}" changed.`,
      data: { roleId: role.id },
    });
  }
}
