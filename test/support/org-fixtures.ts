import { DataScopeKind } from '../../src/modules/access/actor';
import { PermissionCode } from '../../src/modules/access/permission-catalogue';
import { PLATFORM_ORG_ID, PLATFORM_ROOT_UNIT_ID } from '../../src/modules/access/platform-org';
import { TestApp } from './test-app';

/**
 * Organizations, units, members and grants made directly in SQL: fast, and independent of the
 * organization endpoints, for tests of modules that only need a tenant to exist. Use
 * `org-helpers.ts` instead to exercise the organization API itself.
 */

export interface FixtureOrg {
  id: string;
  kind: 'platform' | 'agency' | 'brand';
  rootUnitId: string;
}

/** The label of a unit in the ltree path, as the organizations module builds it. */
const LABEL = `'u' || replace(id::text, '-', '')`;

export const PLATFORM_ORG: FixtureOrg = {
  id: PLATFORM_ORG_ID,
  kind: 'platform',
  rootUnitId: PLATFORM_ROOT_UNIT_ID,
};

export async function insertOrg(
  t: TestApp,
  options: { kind?: 'agency' | 'brand'; name?: string } = {},
): Promise<FixtureOrg> {
  const kind = options.kind ?? 'agency';
  const name = options.name ?? `Org ${Math.random().toString(36).slice(2, 8)}`;
  const [{ id }] = await t.db.query(`INSERT INTO organizations (kind, name) VALUES ($1, $2) RETURNING id`, [
    kind,
    name,
  ]);
  const [{ id: rootUnitId }] = await t.db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT id, $1, NULL, $2, text2ltree(${LABEL}) FROM (SELECT gen_random_uuid() AS id) AS fresh
     RETURNING id`,
    [id, name],
  );
  return { id, kind, rootUnitId };
}

/** A unit below `parentId`, returning its id. */
export async function insertUnit(
  t: TestApp,
  org: FixtureOrg,
  parentId: string,
  name: string,
): Promise<string> {
  const [{ id }] = await t.db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT fresh.id, $1, p.id, $3, p.path || text2ltree('u' || replace(fresh.id::text, '-', ''))
     FROM (SELECT gen_random_uuid() AS id) AS fresh, org_units p
     WHERE p.id = $2 AND p.org_id = $1
     RETURNING id`,
    [org.id, parentId, name],
  );
  return id;
}

/** The id of a system role (owner, admin, analyst, viewer…) of the organization, created if missing. */
export async function systemRoleId(t: TestApp, org: FixtureOrg, key: string): Promise<string> {
  await t.db.query(
    `INSERT INTO roles (org_id, name, system_key) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, system_key) WHERE system_key IS NOT NULL DO NOTHING`,
    [org.id, `System ${key}`, key],
  );
  const [{ id }] = await t.db.query(`SELECT id FROM roles WHERE org_id = $1 AND system_key = $2`, [
    org.id,
    key,
  ]);
  return id;
}

export type FixtureGrant =
  | { role: string; unitId?: string; scope?: DataScopeKind }
  | { permission: PermissionCode; effect?: 'allow' | 'deny'; unitId?: string; scope?: DataScopeKind };

/** Grants a system role (by key) or a single permission; unit defaults to the root, scope to `org`. */
export async function insertGrant(
  t: TestApp,
  org: FixtureOrg,
  userId: string,
  grant: FixtureGrant,
): Promise<string> {
  const unitId = grant.unitId ?? org.rootUnitId;
  const scope = grant.scope ?? 'org';
  const roleId = 'role' in grant ? await systemRoleId(t, org, grant.role) : null;
  const permission = 'permission' in grant ? grant.permission : null;
  const effect = 'permission' in grant ? (grant.effect ?? 'allow') : 'allow';
  const [{ id }] = await t.db.query(
    `INSERT INTO access_grants (org_id, user_id, role_id, permission, effect, unit_id, scope)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [org.id, userId, roleId, permission, effect, unitId, scope],
  );
  return id;
}

/** Makes `userId` an active member (primary unit defaults to the root) with the given grants. */
export async function insertMember(
  t: TestApp,
  org: FixtureOrg,
  userId: string,
  options: { unitId?: string; grants?: FixtureGrant[] } = {},
): Promise<void> {
  await t.db.query(`INSERT INTO org_members (org_id, user_id, unit_id) VALUES ($1, $2, $3)`, [
    org.id,
    userId,
    options.unitId ?? org.rootUnitId,
  ]);
  for (const grant of options.grants ?? []) await insertGrant(t, org, userId, grant);
}
