import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from './data-scope';

/** The error for a body field naming a unit that isn't in the organization (another tenant's included). */
export const unitNotFound = (field: string) =>
  new DomainError(ErrorCode.ReferenceNotFound, 'No such unit in this organization', {
    errors: [{ field, message: 'unit not found in this organization' }],
  });

/** The ltree path of a unit of this organization, for scope checks; `field` names it in the error. */
export async function unitPathOf(manager: EntityManager, orgId: string, unitId: string, field: string) {
  const rows: { path: string }[] = await manager.query(
    'SELECT path::text AS path FROM org_units WHERE id = $1 AND org_id = $2',
    [unitId, orgId],
  );
  if (!rows[0]) throw unitNotFound(field);
  return rows[0].path;
}

/**
 * An active member whose primary unit lies inside the caller's scope, else 404 (another tenant's
 * member and one outside the scope look the same). `lock` holds the membership row for the transaction.
 * Returns the path of the member's primary unit.
 */
export async function memberInScope(
  manager: EntityManager,
  scope: DataScope,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<string> {
  const rows: { path: string }[] = await manager.query(
    `SELECT u.path::text AS path FROM org_members m JOIN org_units u ON u.id = m.unit_id
     WHERE m.org_id = $1 AND m.user_id = $2 AND m.status = 'active'${options.lock ? ' FOR UPDATE OF m' : ''}`,
    [scope.orgId, userId],
  );
  if (!rows[0] || !scope.permits({ unitPath: rows[0].path, ownerId: userId }))
    throw DomainError.notFound('Member');
  return rows[0].path;
}

/** Users holding the organization's system owner role at organization scope: who hears about its contracts. */
export async function organizationOwnerIds(manager: EntityManager, orgId: string): Promise<string[]> {
  const rows: { user_id: string }[] = await manager.query(
    `SELECT DISTINCT g.user_id FROM access_grants g
       JOIN roles r ON r.id = g.role_id AND r.system_key = 'owner'
       JOIN org_members m ON m.org_id = g.org_id AND m.user_id = g.user_id AND m.status = 'active'
       JOIN users u ON u.id = g.user_id AND u.status = 'active'
     WHERE g.org_id = $1 AND g.scope = 'org' AND g.effect = 'allow'`,
    [orgId],
  );
  return rows.map((r) => r.user_id);
}
