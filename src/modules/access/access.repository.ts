import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedQueries } from '../../platform/database/prepared-queries';
import { DataScopeKind, ScopedGrant } from './actor';
import { isPermissionCode, OrganizationKind, PermissionCode, rolePermissions } from './permission-catalogue';

interface GrantRow {
  session_ok: boolean;
  org_kind: OrganizationKind | null;
  member: boolean;
  grant_id: string | null;
  role_id: string | null;
  permission: string | null;
  effect: 'allow' | 'deny' | null;
  scope: DataScopeKind | null;
  unit_id: string | null;
  unit_path: string | null;
  role_name: string | null;
  system_key: string | null;
  role_permissions: string[] | null;
}

export interface AccessSnapshot {
  /** False when the session was revoked or the user disabled: the token no longer counts. */
  principalValid: boolean;
  /** Null when the organization does not exist or the caller is not part of it. */
  orgKind: OrganizationKind | null;
  grants: readonly ScopedGrant[];
}

/** What must be read on every request of a signed-in user: nothing here may be cached. */
export interface UserAccessCheck {
  /** The session exists, is neither revoked nor expired, and its user is active. */
  sessionOk: boolean;
  /** The organization's kind when it exists and is active, whoever the caller is; else null. */
  orgKind: OrganizationKind | null;
  /** The organization's access version (`org_access_versions`): changes with any grant, member, role or unit. */
  accessVersion: string | null;
}

/** A user's membership and grants in one organization, read together with the version they are at. */
export interface Membership {
  accessVersion: string | null;
  /** The organization's kind when the user is a member of it. */
  orgKind: OrganizationKind | null;
  member: boolean;
  grants: readonly ScopedGrant[];
}

/** Expands role grants into one entry per permission, resolving system roles from the catalogue. */
export function expandGrants(rows: GrantRow[], orgKind: OrganizationKind): ScopedGrant[] {
  const grants: ScopedGrant[] = [];
  for (const row of rows) {
    if (!row.grant_id || !row.scope || !row.unit_id || !row.unit_path || !row.effect) continue;
    const base = {
      grantId: row.grant_id,
      effect: row.effect,
      scope: row.scope,
      unitId: row.unit_id,
      unitPath: row.unit_path,
      roleId: row.role_id,
      roleName: row.role_name,
    };
    const codes: readonly string[] = row.role_id
      ? rolePermissions({ systemKey: row.system_key, permissions: row.role_permissions }, orgKind)
      : row.permission
        ? [row.permission]
        : [];
    for (const code of codes) {
      if (isPermissionCode(code)) grants.push({ ...base, permission: code as PermissionCode });
    }
  }
  return grants;
}

const GRANT_COLUMNS = `
  g.id AS grant_id, g.role_id, g.permission, g.effect, g.scope, g.unit_id, gu.path::text AS unit_path,
  r.name AS role_name, r.system_key, r.permissions AS role_permissions`;

/** Session, membership and grants in one round trip: every request when the grants cache is off. */
const USER_ACCESS = {
  name: 'daiyun_user_access',
  text: `SELECT
         EXISTS (SELECT 1 FROM auth_sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id = $3 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $4
                   AND u.status = 'active') AS session_ok,
         CASE WHEN m.user_id IS NULL THEN NULL ELSE o.kind END AS org_kind,
         (m.user_id IS NOT NULL) AS member,
         ${GRANT_COLUMNS}
       FROM (SELECT 1) AS one
       LEFT JOIN organizations o ON o.id = $1 AND o.status = 'active'
       LEFT JOIN org_members m ON m.org_id = o.id AND m.user_id = $2 AND m.status = 'active'
       LEFT JOIN access_grants g ON g.org_id = m.org_id AND g.user_id = m.user_id
       LEFT JOIN org_units gu ON gu.id = g.unit_id
       LEFT JOIN roles r ON r.id = g.role_id`,
};

/** Prepared (see PreparedQueries): it runs on every request of a signed-in user, four primary-key reads. */
const USER_ACCESS_CHECK = {
  name: 'daiyun_user_access_check',
  text: `SELECT (s.revoked_at IS NULL AND s.expires_at > $4 AND u.status = 'active') AS session_ok,
       o.kind AS org_kind, v.version::text AS access_version
     FROM auth_sessions s
     JOIN users u ON u.id = s.user_id
     LEFT JOIN organizations o ON o.id = $1 AND o.status = 'active'
     LEFT JOIN org_access_versions v ON v.org_id = o.id
     WHERE s.id = $3 AND s.user_id = $2`,
};

/**
 * Membership and grants with the version they are at, in one statement so that both come from one
 * snapshot. Whatever the organization's status: that is read by the check, on every request.
 */
const MEMBERSHIP = {
  name: 'daiyun_membership',
  text: `SELECT v.version::text AS access_version, o.kind AS org_kind, (m.user_id IS NOT NULL) AS member,
       ${GRANT_COLUMNS}
     FROM organizations o
     LEFT JOIN org_access_versions v ON v.org_id = o.id
     LEFT JOIN org_members m ON m.org_id = o.id AND m.user_id = $2 AND m.status = 'active'
     LEFT JOIN access_grants g ON g.org_id = m.org_id AND g.user_id = m.user_id
     LEFT JOIN org_units gu ON gu.id = g.unit_id
     LEFT JOIN roles r ON r.id = g.role_id
     WHERE o.id = $1`,
};

/**
 * The reads behind every authorization decision, in raw SQL because they run on every request.
 * `loadForUser` answers "is the session alive, is the caller a member, and what grants do they hold" in
 * one round trip; the guard's cached path (UserAccessService) splits it into the per-request `checkUser` and
 * the cacheable `loadMembership`.
 */
@Injectable()
export class AccessRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prepared: PreparedQueries,
  ) {}

  /** Session, user and organization state plus the organization's access version. */
  async checkUser(
    userId: string,
    sessionId: string,
    orgId: string | null,
    now: Date,
  ): Promise<UserAccessCheck> {
    const rows = await this.prepared.rows<{
      session_ok: boolean;
      org_kind: OrganizationKind | null;
      access_version: string | null;
    }>(USER_ACCESS_CHECK.name, USER_ACCESS_CHECK.text, [orgId, userId, sessionId, now]);
    const row = rows[0];
    return {
      sessionOk: row?.session_ok === true,
      orgKind: row?.org_kind ?? null,
      accessVersion: row?.access_version ?? null,
    };
  }

  async loadMembership(orgId: string, userId: string): Promise<Membership> {
    const rows = await this.prepared.rows<GrantRow & { access_version: string | null }>(
      MEMBERSHIP.name,
      MEMBERSHIP.text,
      [orgId, userId],
    );
    const first = rows[0];
    const orgKind = first?.member ? first.org_kind : null;
    return {
      accessVersion: first?.access_version ?? null,
      orgKind,
      member: orgKind !== null,
      grants: orgKind ? expandGrants(rows, orgKind) : [],
    };
  }

  async loadForUser(
    userId: string,
    sessionId: string,
    orgId: string | null,
    now: Date,
  ): Promise<AccessSnapshot> {
    const rows = await this.prepared.rows<GrantRow>(USER_ACCESS.name, USER_ACCESS.text, [
      orgId,
      userId,
      sessionId,
      now,
    ]);
    const first = rows[0];
    const orgKind = first?.member ? first.org_kind : null;
    return {
      principalValid: Boolean(first?.session_ok),
      orgKind,
      grants: orgKind ? expandGrants(rows, orgKind) : [],
    };
  }

  /** A member's grants, for describing them (no session involved). */
  async loadMemberGrants(orgId: string, userId: string): Promise<ScopedGrant[]> {
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT true AS session_ok, o.kind AS org_kind, true AS member, ${GRANT_COLUMNS}
       FROM access_grants g
       JOIN organizations o ON o.id = g.org_id
       JOIN org_units gu ON gu.id = g.unit_id
       LEFT JOIN roles r ON r.id = g.role_id
       WHERE g.org_id = $1 AND g.user_id = $2`,
      [orgId, userId],
    );
    return rows[0]?.org_kind ? expandGrants(rows, rows[0].org_kind) : [];
  }

  async loadForApiKey(apiKeyId: string, orgId: string): Promise<AccessSnapshot> {
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT true AS session_ok, o.kind AS org_kind, true AS member, ${GRANT_COLUMNS}
       FROM api_keys k
       JOIN organizations o ON o.id = k.org_id AND o.status = 'active'
       LEFT JOIN access_grants g ON g.api_key_id = k.id
       LEFT JOIN org_units gu ON gu.id = g.unit_id
       LEFT JOIN roles r ON r.id = g.role_id
       WHERE k.id = $1 AND k.org_id = $2 AND k.revoked_at IS NULL`,
      [apiKeyId, orgId],
    );
    const orgKind = rows[0]?.org_kind ?? null;
    return { principalValid: true, orgKind, grants: orgKind ? expandGrants(rows, orgKind) : [] };
  }

  /** A key that is neither revoked nor expired. Marks it used, writing at most once a minute per key. */
  async findUsableApiKey(
    secretHash: string,
    now: Date,
  ): Promise<{ id: string; orgId: string; createdBy: string | null } | null> {
    const rows: { id: string; org_id: string; created_by: string | null; last_used_at: Date | null }[] =
      await this.dataSource.query(
        `SELECT id, org_id, created_by, last_used_at FROM api_keys
         WHERE secret_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
        [secretHash, now],
      );
    const row = rows[0];
    if (!row) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
      await this.dataSource.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [row.id, now]);
    }
    return { id: row.id, orgId: row.org_id, createdBy: row.created_by };
  }
}
