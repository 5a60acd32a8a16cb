import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch } from '../../platform/http/etag';
import { DataScope } from '../access/data-scope';
import { unitNotFound } from '../access/org-lookups';
import { OrgUnit, unitLabel } from './org-unit.entity';
import {
  CreateUnitDto,
  DeleteUnitQueryDto,
  toUnitDto,
  UnitDto,
  UnitTreeDto,
  UpdateUnitDto,
} from './unit.dto';

const MAX_TREE_SIZE = 5000;

interface UnitReference {
  table: string;
  column: string;
}

/**
 * The unit tree. Paths are ltree materialized paths, so moving a unit rewrites its subtree's paths in
 * one UPDATE, and scope checks are prefix tests. Rows of any module that point at a unit through a
 * foreign key to org_units are found from the catalogue, so deleting a unit never orphans them.
 */
@Injectable()
export class UnitsService {
  constructor(private readonly dataSource: DataSource) {}

  async listUnits(scope: DataScope): Promise<UnitTreeDto> {
    const qb = this.dataSource.getRepository(OrgUnit).createQueryBuilder('u');
    scope.apply(qb, { org: 'u.org_id', unit: 'u.id' });
    const units = await qb.orderBy('u.path', 'ASC').limit(MAX_TREE_SIZE).getMany();
    return { items: units.map(toUnitDto), nextCursor: null };
  }

  async createUnit(scope: DataScope, dto: CreateUnitDto): Promise<UnitDto> {
    return this.dataSource.transaction(async (manager) => {
      const parent = await this.findUnit(manager, scope.orgId, dto.parentId, 'parentId');
      const unit = manager.create(OrgUnit, { orgId: scope.orgId, parentId: parent.id, name: dto.name });
      unit.id = (await manager.query('SELECT gen_random_uuid() AS id'))[0].id;
      unit.path = `${parent.path}.${unitLabel(unit.id)}`;
      this.assertManages(scope, unit.path);
      await this.assertNameFree(manager, scope.orgId, parent.id, dto.name, null);
      return toUnitDto(await manager.save(unit));
    });
  }

  async getUnit(scope: DataScope, unitId: string): Promise<OrgUnit> {
    const unit = await this.findUnit(this.dataSource.manager, scope.orgId, unitId);
    if (!scope.permitsUnit(unit.path)) throw DomainError.notFound('Unit');
    return unit;
  }

  async updateUnit(scope: DataScope, unitId: string, dto: UpdateUnitDto, ifMatch?: string): Promise<OrgUnit> {
    return this.dataSource.transaction(async (manager) => {
      const unit = await this.lockUnit(manager, scope, unitId);
      assertIfMatch(ifMatch, unit.version);
      if (dto.parentId !== undefined && dto.parentId !== unit.parentId) {
        await this.moveUnit(manager, scope, unit, dto.parentId);
      }
      if (dto.name !== undefined && dto.name !== unit.name) {
        await this.assertNameFree(manager, scope.orgId, unit.parentId, dto.name, unit.id);
        unit.name = dto.name;
      }
      return manager.save(unit);
    });
  }

  async deleteUnit(scope: DataScope, unitId: string, query: DeleteUnitQueryDto): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const unit = await this.lockUnit(manager, scope, unitId);
      if (!unit.parentId) throw new DomainError(ErrorCode.Unprocessable, 'The root unit cannot be deleted');
      const subtree: { id: string }[] = await manager.query(
        'SELECT id FROM org_units WHERE org_id = $1 AND path <@ $2::ltree',
        [scope.orgId, unit.path],
      );
      const ids = subtree.map((row) => row.id);
      const references = await this.unitReferences(manager);
      const inUse = await this.countReferences(manager, references, ids);
      const children = ids.length - 1;

      if ((inUse > 0 || children > 0) && !query.targetUnitId) {
        throw new DomainError(
          ErrorCode.ReferenceInUse,
          'The unit still has sub-units, members or data; pass targetUnitId to move them there',
          { extensions: { subUnits: children, references: inUse } },
        );
      }
      if (query.targetUnitId) {
        const target = await this.findUnit(manager, scope.orgId, query.targetUnitId, 'targetUnitId');
        if (ids.includes(target.id)) {
          throw new DomainError(ErrorCode.UnitCycle, 'The target unit is inside the unit being deleted');
        }
        this.assertManages(scope, target.path);
        // Grants are not moved: re-anchoring a subtree grant elsewhere could widen it. They end with the unit.
        await manager.query('DELETE FROM access_grants WHERE org_id = $1 AND unit_id = ANY($2)', [
          scope.orgId,
          ids,
        ]);
        for (const reference of references.filter((r) => r.table !== 'access_grants')) {
          await manager.query(
            `UPDATE ${reference.table} SET ${reference.column} = $1 WHERE ${reference.column} = ANY($2)`,
            [target.id, ids],
          );
        }
      }
      // Children and their descendants go with the unit (their rows were moved above).
      await manager.query('DELETE FROM org_units WHERE org_id = $1 AND path <@ $2::ltree', [
        scope.orgId,
        unit.path,
      ]);
    });
  }

  private async moveUnit(
    manager: EntityManager,
    scope: DataScope,
    unit: OrgUnit,
    parentId: string,
  ): Promise<void> {
    if (!unit.parentId) throw new DomainError(ErrorCode.Unprocessable, 'The root unit cannot be moved');
    const parent = await this.findUnit(manager, scope.orgId, parentId, 'parentId');
    const isDescendant = parent.path === unit.path || parent.path.startsWith(`${unit.path}.`);
    if (isDescendant)
      throw new DomainError(ErrorCode.UnitCycle, 'A unit cannot move under itself or its descendants');
    const newPath = `${parent.path}.${unitLabel(unit.id)}`;
    this.assertManages(scope, newPath);
    await this.assertNameFree(manager, scope.orgId, parent.id, unit.name, unit.id);
    await manager.query(
      `UPDATE org_units
       SET path = CASE WHEN path = $2::ltree THEN $3::ltree ELSE $3::ltree || subpath(path, nlevel($2::ltree)) END,
           updated_at = now()
       WHERE org_id = $1 AND path <@ $2::ltree`,
      [scope.orgId, unit.path, newPath],
    );
    unit.parentId = parent.id;
    unit.path = newPath;
  }

  private async lockUnit(manager: EntityManager, scope: DataScope, unitId: string): Promise<OrgUnit> {
    const unit = await manager
      .getRepository(OrgUnit)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :unitId AND u.org_id = :orgId', { unitId, orgId: scope.orgId })
      .getOne();
    if (!unit || !scope.permitsUnit(unit.path)) throw DomainError.notFound('Unit');
    return unit;
  }

  private async findUnit(
    manager: EntityManager,
    orgId: string,
    unitId: string,
    field?: string,
  ): Promise<OrgUnit> {
    const unit = await manager.getRepository(OrgUnit).findOneBy({ id: unitId, orgId });
    if (!unit) {
      throw field ? unitNotFound(field) : DomainError.notFound('Unit');
    }
    return unit;
  }

  private assertManages(scope: DataScope, path: string): void {
    if (!scope.permitsUnit(path)) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        'Your units:manage scope does not cover that position',
      );
    }
  }

  private async assertNameFree(
    manager: EntityManager,
    orgId: string,
    parentId: string | null,
    name: string,
    exceptId: string | null,
  ): Promise<void> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM org_units WHERE org_id = $1 AND parent_id IS NOT DISTINCT FROM $2 AND lower(name) = lower($3)
         AND id IS DISTINCT FROM $4`,
      [orgId, parentId, name, exceptId],
    );
    if (rows.length > 0) throw new DomainError(ErrorCode.Duplicate, 'A sibling unit already has that name');
  }

  /** Every (table, column) that references a unit, read from the catalogue (org_units' own parent excluded). */
  private async unitReferences(manager: EntityManager): Promise<UnitReference[]> {
    const rows: { table_name: string; column_name: string }[] = await manager.query(
      `SELECT DISTINCT c.conrelid::regclass::text AS table_name, a.attname AS column_name
       FROM pg_constraint c
       CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(conkey, confkey)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.conkey
       JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.confkey
       WHERE c.contype = 'f' AND c.confrelid = 'org_units'::regclass AND fa.attname = 'id'
         AND c.conrelid <> 'org_units'::regclass
       ORDER BY 1, 2`,
    );
    return rows.map((row) => ({ table: row.table_name, column: row.column_name }));
  }

  private async countReferences(
    manager: EntityManager,
    references: UnitReference[],
    ids: string[],
  ): Promise<number> {
    let total = 0;
    for (const reference of references) {
      const [{ count }] = await manager.query(
        `SELECT count(*)::int AS count FROM ${reference.table} WHERE ${reference.column} = ANY($1)`,
        [ids],
      );
      total += count;
    }
    return total;
  }
}
