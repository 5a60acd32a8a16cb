import { EntityManager } from 'typeorm';
import { SYSTEM_ROLES, systemRolePermissions } from '../access/permission-catalogue';

const SUPERVISE = 'tickets:supervise';

/** System roles of each organization kind that carry `tickets:supervise` (the catalogue lives in code). */
const supervisingRoles = (kind: keyof typeof SYSTEM_ROLES): string[] =>
  SYSTEM_ROLES[kind].map((r) => r.key).filter((key) => systemRolePermissions(kind, key).includes(SUPERVISE));

/**
 * The supervisors of each unit, in one query for any number of units (of any organizations): active
 * members holding `tickets:supervise` through a grant covering the unit (`unit` at it, `subtree` at it
 * or above, `org`) with no deny covering it; when nobody covers the unit, those covering the next unit
 * up, and so on to the root. Units without anyone up to the root are absent from the map.
 *
 * Written here because neither organizations nor access exports a "who holds P over unit U" lookup;
 * it follows the grant rules of docs/permissions.md as the tickets module's queue-agent query does.
 */
export async function unitSupervisors(
  manager: EntityManager,
  unitIds: readonly string[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (unitIds.length === 0) return result;
  const covers = (alias: string) => `(${alias}.scope = 'org'
      OR (${alias}.scope = 'subtree' AND l.level_path <@ ${alias}u.path)
      OR (${alias}.scope = 'unit' AND ${alias}.unit_id = l.level_id))`;
  const rows: { unit_id: string; user_ids: string[] }[] = await manager.query(
    `WITH levels AS (
       SELECT t.id AS unit_id, t.org_id, a.id AS level_id, a.path AS level_path, nlevel(a.path) AS depth
         FROM org_units t JOIN org_units a ON a.org_id = t.org_id AND t.path <@ a.path
        WHERE t.id = ANY($1::uuid[])),
     holders AS (
       SELECT l.unit_id, l.depth, m.user_id FROM levels l
         JOIN organizations o ON o.id = l.org_id
         JOIN org_members m ON m.org_id = l.org_id AND m.status = 'active'
         JOIN users usr ON usr.id = m.user_id AND usr.status = 'active'
         JOIN access_grants g ON g.org_id = m.org_id AND g.user_id = m.user_id AND g.effect = 'allow'
         JOIN org_units gu ON gu.id = g.unit_id
         LEFT JOIN roles r ON r.id = g.role_id
        WHERE (g.permission = $2::text
               OR r.system_key = ANY (CASE o.kind WHEN 'agency' THEN $3::text[] WHEN 'brand' THEN $4::text[]
                                                  ELSE $5::text[] END)
               OR (r.system_key IS NULL AND r.permissions @> ARRAY[$2::text]))
          AND ${covers('g')}
          AND NOT EXISTS (
            SELECT 1 FROM access_grants d JOIN org_units du ON du.id = d.unit_id
             WHERE d.org_id = m.org_id AND d.user_id = m.user_id AND d.effect = 'deny'
               AND d.permission = $2::text AND ${covers('d')}))
     SELECT h.unit_id, array_agg(DISTINCT h.user_id::text ORDER BY h.user_id::text) AS user_ids
       FROM holders h
      WHERE h.depth = (SELECT max(x.depth) FROM holders x WHERE x.unit_id = h.unit_id)
      GROUP BY h.unit_id`,
    [
      [...new Set(unitIds)],
      SUPERVISE,
      supervisingRoles('agency'),
      supervisingRoles('brand'),
      supervisingRoles('platform'),
    ],
  );
  for (const row of rows) result.set(row.unit_id, row.user_ids);
  return result;
}
