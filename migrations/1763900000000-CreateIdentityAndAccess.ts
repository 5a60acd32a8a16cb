import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, organizations with their unit trees, members, roles, grants and API keys: the tables every
 * permission decision reads. Unit trees are materialized paths in `ltree`, so "this unit and below"
 * is one GiST-indexed predicate (`path <@ $1`).
 */
export class CreateIdentityAndAccess1763900000000 implements MigrationInterface {
  name = 'CreateIdentityAndAccess1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS ltree`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(32) NOT NULL,
        email varchar(254),
        phone varchar(20),
        password_hash text NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE UNIQUE INDEX users_phone_key ON users (phone)`);

    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL CHECK (kind IN ('platform', 'agency', 'brand')),
        name varchar(100) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    // Exactly one platform organization.
    await q.query(
      `CREATE UNIQUE INDEX organizations_one_platform ON organizations (kind) WHERE kind = 'platform'`,
    );

    await q.query(`
      CREATE TABLE org_units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        parent_id uuid,
        name varchar(100) NOT NULL,
        path ltree NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, parent_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(`CREATE INDEX org_units_path_gist ON org_units USING gist (path)`);
    await q.query(`CREATE INDEX org_units_org_idx ON org_units (org_id)`);
    await q.query(`CREATE UNIQUE INDEX org_units_root_key ON org_units (org_id) WHERE parent_id IS NULL`);
    await q.query(
      `CREATE UNIQUE INDEX org_units_sibling_name_key ON org_units (org_id, parent_id, lower(name))`,
    );

    await q.query(`
      CREATE TABLE org_members (
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        unit_id uuid NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (org_id, user_id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(`CREATE INDEX org_members_user_idx ON org_members (user_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX org_members_unit_idx ON org_members (org_id, unit_id, joined_at, user_id)`);

    await q.query(`
      CREATE TABLE org_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        unit_id uuid NOT NULL,
        invited_by uuid REFERENCES users(id),
        role_id uuid,
        scope varchar(8) CHECK (scope IN ('self', 'unit', 'subtree', 'org')),
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        CHECK ((role_id IS NULL) = (scope IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX org_invitations_pending_key ON org_invitations (org_id, user_id) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX org_invitations_user_idx ON org_invitations (user_id, status)`);

    await q.query(`
      CREATE TABLE roles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name varchar(64) NOT NULL,
        description varchar(500),
        system_key varchar(32),
        permissions text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX roles_name_key ON roles (org_id, lower(name))`);
    await q.query(
      `CREATE UNIQUE INDEX roles_system_key ON roles (org_id, system_key) WHERE system_key IS NOT NULL`,
    );
    await q.query(
      `ALTER TABLE org_invitations ADD FOREIGN KEY (org_id, role_id) REFERENCES roles (org_id, id) ON DELETE CASCADE`,
    );

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        prefix varchar(16) NOT NULL,
        secret_hash char(64) NOT NULL UNIQUE,
        created_by uuid REFERENCES users(id),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at)`);

    await q.query(`
      CREATE TABLE access_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid REFERENCES users(id),
        api_key_id uuid,
        role_id uuid,
        permission varchar(64),
        effect varchar(8) NOT NULL DEFAULT 'allow' CHECK (effect IN ('allow', 'deny')),
        unit_id uuid NOT NULL,
        scope varchar(8) NOT NULL CHECK (scope IN ('self', 'unit', 'subtree', 'org')),
        granted_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        FOREIGN KEY (org_id, role_id) REFERENCES roles (org_id, id),
        FOREIGN KEY (org_id, api_key_id) REFERENCES api_keys (org_id, id) ON DELETE CASCADE,
        CHECK ((user_id IS NULL) <> (api_key_id IS NULL)),
        CHECK ((role_id IS NOT NULL AND permission IS NULL AND effect = 'allow')
            OR (role_id IS NULL AND permission IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX access_grants_user_idx ON access_grants (org_id, user_id)`);
    await q.query(`CREATE INDEX access_grants_key_idx ON access_grants (api_key_id)`);
    await q.query(`CREATE INDEX access_grants_role_idx ON access_grants (role_id)`);

    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        ip varchar(64),
        user_agent varchar(512),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason varchar(32)
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL`);

    // The platform organization exists from the first migration; its root unit holds platform staff.
    await q.query(`
      WITH org AS (
        INSERT INTO organizations (id, kind, name) VALUES ('00000000-0000-4000-8000-000000000001', 'platform', 'Daiyun Platform')
        RETURNING id
      )
      INSERT INTO org_units (id, org_id, parent_id, name, path)
      SELECT '00000000-0000-4000-8000-000000000002', id, NULL, 'Daiyun Platform', text2ltree('u00000000000040008000000000000002')
      FROM org`);
    await q.query(`
      INSERT INTO roles (org_id, name, system_key, description) VALUES
        ('00000000-0000-4000-8000-000000000001', 'Owner', 'owner', 'Full control of the platform'),
        ('00000000-0000-4000-8000-000000000001', 'Administrator', 'admin', 'Runs the platform and its staff'),
        ('00000000-0000-4000-8000-000000000001', 'Reviewer', 'reviewer', 'Decides verifications and reviews')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_sessions`);
    await q.query(`DROP TABLE access_grants`);
    await q.query(`DROP TABLE api_keys`);
    // Invitations reference roles: they go first.
    await q.query(`DROP TABLE org_invitations`);
    await q.query(`DROP TABLE roles`);
    await q.query(`DROP TABLE org_members`);
    await q.query(`DROP TABLE org_units`);
    await q.query(`DROP TABLE organizations`);
    await q.query(`DROP TABLE users`);
  }
}
