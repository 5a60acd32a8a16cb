import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `access_check_current`: the per-request access check as a function a read statement can carry, so a
 * list that the guard allowed from cached grants verifies them in its own statement instead of a round
 * trip of its own (docs/permissions.md, "Checking in the statement"). It passes when the session is
 * neither revoked nor expired, its user and the organization are active, and the organization's access
 * version is still the one the grants were read at; otherwise it raises SQLSTATE DYA01, which fails the
 * statement and makes the API decide afresh. STABLE: one call per statement as an init plan, and it
 * sees the statement's own snapshot, so a change committed before the statement is always seen.
 */
export class AddAccessCheckFunction1764160000000 implements MigrationInterface {
  name = 'AddAccessCheckFunction1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION access_check_current(
        p_org uuid, p_user uuid, p_session uuid, p_at timestamptz, p_version bigint
      ) RETURNS boolean
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      BEGIN
        PERFORM 1
           FROM auth_sessions s
           JOIN users u ON u.id = s.user_id AND u.status = 'active'
           JOIN organizations o ON o.id = p_org AND o.status = 'active'
           JOIN org_access_versions v ON v.org_id = o.id AND v.version = p_version
          WHERE s.id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND s.expires_at > p_at;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'access changed since the grants were cached' USING ERRCODE = 'DYA01';
        END IF;
        RETURN true;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION access_check_current(uuid, uuid, uuid, timestamptz, bigint)`);
  }
}
