import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { Page, paginate, parseSort } from '../../platform/http/pagination';
import { Actor, requireUserId } from '../access/actor';
import { AccessGrant } from '../access/access-grant.entity';
import { SYSTEM_ROLES } from '../access/permission-catalogue';
import { Role } from '../access/role.entity';
import { provisionServiceLevels } from '../service-levels/provisioning';
import {
  CreateOrganizationDto,
  ListOrganizationsQueryDto,
  OrganizationDto,
  toOrganizationDto,
  UpdateOrganizationDto,
} from './organization.dto';
import { Organization } from './organization.entity';
import { OrgMember } from './org-member.entity';
import { OrgUnit, unitLabel } from './org-unit.entity';

/**
 * Organizations as tenants: creating one provisions its root unit, system roles, first owner, and its
 * default service calendar and SLA policies.
 */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async createOrganization(actor: Actor, dto: CreateOrganizationDto): Promise<OrganizationDto> {
    const userId = requireUserId(actor);
    return this.dataSource.transaction(async (manager) => {
      const org = await manager.save(
        manager.create(Organization, { kind: dto.kind, name: dto.name, status: 'active', createdBy: userId }),
      );
      const root = await this.createRootUnit(manager, org);
      const roles = await manager.save(
        SYSTEM_ROLES[dto.kind].map((definition) =>
          manager.create(Role, {
            orgId: org.id,
            name: definition.name,
            description: definition.description,
            systemKey: definition.key,
            permissions: [],
          }),
        ),
      );
      const owner = roles.find((role) => role.systemKey === 'owner')!;
      await provisionServiceLevels(manager, org.id);
      await manager.insert(OrgMember, {
        orgId: org.id,
        userId,
        unitId: root.id,
        status: 'active',
        joinedAt: this.clock.now(),
      });
      await manager.insert(AccessGrant, {
        orgId: org.id,
        userId,
        roleId: owner.id,
        effect: 'allow',
        unitId: root.id,
        scope: 'org',
        grantedBy: userId,
      });
      return toOrganizationDto(org, root.id);
    });
  }

  async listMyOrganizations(actor: Actor, query: ListOrganizationsQueryDto): Promise<Page<OrganizationDto>> {
    const userId = requireUserId(actor);
    const qb = this.dataSource
      .getRepository(Organization)
      .createQueryBuilder('o')
      .innerJoin(OrgMember, 'm', `m.org_id = o.id AND m.user_id = :userId AND m.status = 'active'`, {
        userId,
      });
    const sort = parseSort(
      undefined,
      { createdAt: { column: 'o.created_at', kind: 'timestamp' } },
      'createdAt',
    );
    const roots = new Map<string, string>();
    const page = await paginate(qb, {
      query,
      sort,
      idColumn: 'o.id',
      sortValue: (o) => o.createdAt,
      idValue: (o) => o.id,
      map: (o) => o,
    });
    if (page.items.length > 0) {
      const rows: { org_id: string; id: string }[] = await this.dataSource.query(
        'SELECT org_id, id FROM org_units WHERE parent_id IS NULL AND org_id = ANY($1)',
        [page.items.map((o) => o.id)],
      );
      for (const row of rows) roots.set(row.org_id, row.id);
    }
    return {
      items: page.items.map((o) => toOrganizationDto(o, roots.get(o.id) ?? '')),
      nextCursor: page.nextCursor,
    };
  }

  async getOrganization(orgId: string): Promise<OrganizationDto> {
    const org = await this.dataSource.getRepository(Organization).findOneBy({ id: orgId });
    if (!org) throw DomainError.notFound('Organization');
    return toOrganizationDto(org, await this.rootUnitId(orgId));
  }

  async updateOrganization(orgId: string, dto: UpdateOrganizationDto): Promise<OrganizationDto> {
    if (dto.name === undefined && dto.timeZone === undefined) {
      throw DomainError.validation('name', 'give a name or a timeZone to change');
    }
    const repository = this.dataSource.getRepository(Organization);
    const org = await repository.findOneBy({ id: orgId });
    if (!org) throw DomainError.notFound('Organization');
    if (dto.name !== undefined) org.name = dto.name;
    if (dto.timeZone !== undefined) org.timeZone = dto.timeZone;
    await repository.save(org);
    return toOrganizationDto(org, await this.rootUnitId(orgId));
  }

  private async createRootUnit(manager: EntityManager, org: Organization): Promise<OrgUnit> {
    const id = randomUUID();
    return manager.save(
      manager.create(OrgUnit, { id, orgId: org.id, parentId: null, name: org.name, path: unitLabel(id) }),
    );
  }

  private async rootUnitId(orgId: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      'SELECT id FROM org_units WHERE org_id = $1 AND parent_id IS NULL',
      [orgId],
    );
    return rows[0]?.id ?? '';
  }
}
