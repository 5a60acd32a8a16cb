import { EntityManager } from 'typeorm';
import { OrganizationKind, SYSTEM_ROLES, systemRolePermissions } from '../access/permission-catalogue';

const HOLD = 'tickets:write';

/** System roles of an organization kind that carry `tickets:write` (the catalogue lives in code). */
const holdingRoleKeys = (kind: OrganizationKind): string[] =>
  SYSTEM_ROLES[kind].map((r) => r.key).filter((key) => systemRolePermissions(kind, key).includes(HOLD));

/**
 * The queue's agents: active members who hold `tickets:write` through a grant covering the unit itself
 * (`unit` at it, `subtree` at it or above, `org`), with no deny covering it. A `self` grant covers only
 * tickets already assigned to the member, so it does not make one an agent of the queue. One query,
 * ordered by user id (the round-robin order).
 */
export async function queueAgents(
  manager: EntityManager,
  orgId: string,
  unitId: string,
  onlyUserId?: string,
): Promise<string[]> {
  const [org]: { kind: OrganizationKind }[] = await manager.query(
    'SELECT kind FROM organizations WHERE id = $1',
    [orgId],
  );
  if (!org) return [];
  const covers = (alias: string) => `(${alias}.scope = 'org'
      OR (${alias}.scope = 'subtree' AND tu.path <@ ${alias}u.path)
      OR (${alias}.scope = 'unit' AND ${alias}.unit_id = tu.id))`;
  const rows: { user_id: string }[] = await manager.query(
    `SELECT DISTINCT m.user_id FROM org_members m
       JOIN users usr ON usr.id = m.user_id AND usr.status = 'active'
       JOIN org_units tu ON tu.id = $2 AND tu.org_id = m.org_id
       JOIN access_grants g ON g.org_id = m.org_id AND g.user_id = m.user_id AND g.effect = 'allow'
       JOIN org_units gu ON gu.id = g.unit_id
       LEFT JOIN roles r ON r.id = g.role_id
     WHERE m.org_id = $1 AND m.status = 'active' AND ($5::uuid IS NULL OR m.user_id = $5)
       AND (g.permission = $3::text OR r.system_key = ANY($4::text[])
            OR (r.system_key IS NULL AND r.permissions @> ARRAY[$3::text]))
       AND ${covers('g')}
       AND NOT EXISTS (
         SELECT 1 FROM access_grants d JOIN org_units du ON du.id = d.unit_id
         WHERE d.org_id = m.org_id AND d.user_id = m.user_id AND d.effect = 'deny' AND d.permission = $3::text
           AND ${covers('d')})
     ORDER BY m.user_id`,
    [orgId, unitId, HOLD, holdingRoleKeys(org.kind), onlyUserId ?? null],
  );
  return rows.map((r) => r.user_id);
}

export async function isQueueAgent(manager: EntityManager, orgId: string, unitId: string, userId: string) {
  return (await queueAgents(manager, orgId, unitId, userId)).length > 0;
}
