import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';

/**
 * Segments and goals are tenant rows of a unit with an owner: the caller's data scope (unit, subtree,
 * self, org) decides which it sees, in SQL, and a row outside it answers 404 like another tenant's.
 */

/** The scope predicate over a table aliased `alias` with `org_id`, `unit_id`, `owner_id`, as `$n` SQL. */
export function scopeConditions(scope: DataScope, alias: string, params: unknown[]): string[] {
  return scope.predicate(
    { org: `${alias}.org_id`, unit: `${alias}.unit_id`, owner: `${alias}.owner_id` },
    (_name, value) => `$${params.push(value)}`,
  );
}

function reference(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.ReferenceNotFound, 'A referenced row does not exist', {
    errors: [{ field, message }],
  });
}

/**
 * The unit and owner of a new row: the unit given (else the unit of the caller's first grant of the
 * permission), which the caller's scope must cover for that owner (403 otherwise); the owner given
 * (an active member of the organization, else 422), else the caller.
 */
export async function placeRow(
  manager: EntityManager,
  actor: Actor,
  scope: DataScope,
  requested: { unitId?: string; ownerId?: string },
): Promise<{ unitId: string; ownerId: string | null }> {
  const unitId = requested.unitId ?? scope.allows[0]?.unitId;
  if (!unitId) throw new DomainError(ErrorCode.PermissionDenied, `You need ${scope.permission}`);
  const units: { path: string }[] = await manager.query(
    `SELECT path::text AS path FROM org_units WHERE org_id = $1 AND id = $2`,
    [scope.orgId, unitId],
  );
  if (units.length === 0) throw reference('unitId', 'no such unit in this organization');
  const ownerId = requested.ownerId ?? actor.userId;
  if (requested.ownerId) {
    const members: unknown[] = await manager.query(
      `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
      [scope.orgId, requested.ownerId],
    );
    if (members.length === 0) throw reference('ownerId', 'not an active member of this organization');
  }
  if (!scope.permitsUnit(units[0].path, ownerId)) {
    throw new DomainError(
      ErrorCode.PermissionDenied,
      `Your ${scope.permission} scope does not cover that unit and owner`,
    );
  }
  return { unitId, ownerId };
}
