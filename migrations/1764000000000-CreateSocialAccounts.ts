import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Managed social accounts owned by brands, the brand → agency authorizations that let agencies operate
 * them, the agency's assignment of authorized accounts to its units and members, and the credential
 * vault. Account rows are archived, never deleted: usage records keep pointing at them.
 */
export class CreateSocialAccounts1764000000000 implements MigrationInterface {
  name = 'CreateSocialAccounts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE social_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        unit_id uuid NOT NULL,
        platform varchar(32) NOT NULL
          CHECK (platform IN ('douyin', 'kuaishou', 'xiaohongshu', 'weibo', 'wechat_channels')),
        handle varchar(100) NOT NULL,
        display_name varchar(100) NOT NULL,
        external_user_id varchar(128) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'suspended')),
        status_reason varchar(500),
        suspended_until timestamptz(3),
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        archived_at timestamptz(3),
        version integer NOT NULL DEFAULT 1,
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        CHECK (status <> 'suspended' OR status_reason IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX social_accounts_external_key ON social_accounts (platform, external_user_id) WHERE archived_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX social_accounts_org_idx ON social_accounts (org_id, created_at DESC, id DESC) WHERE archived_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE account_authorizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_org_id uuid NOT NULL REFERENCES organizations (id),
        agency_org_id uuid NOT NULL REFERENCES organizations (id),
        scopes varchar(16)[] NOT NULL
          CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['publish', 'analytics', 'ads', 'messages', 'manage']::varchar(16)[]),
        valid_from timestamptz(3) NOT NULL,
        valid_until timestamptz(3) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'offered'
          CHECK (status IN ('offered', 'active', 'declined', 'revoked', 'expired')),
        note varchar(500),
        offered_by uuid,
        decided_by uuid,
        decided_at timestamptz(3),
        revoked_by uuid,
        revoked_at timestamptz(3),
        revoke_reason varchar(500),
        expiry_warned_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (valid_until > valid_from),
        CHECK (brand_org_id <> agency_org_id)
      )`);
    await q.query(
      `CREATE INDEX account_authorizations_brand_idx ON account_authorizations (brand_org_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX account_authorizations_agency_idx ON account_authorizations (agency_org_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX account_authorizations_expiry_idx ON account_authorizations (valid_until) WHERE status IN ('offered', 'active')`,
    );
    await q.query(`
      CREATE TABLE account_authorization_accounts (
        authorization_id uuid NOT NULL REFERENCES account_authorizations (id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        PRIMARY KEY (authorization_id, account_id)
      )`);
    await q.query(
      `CREATE INDEX account_authorization_accounts_account_idx ON account_authorization_accounts (account_id)`,
    );

    // The member column is what a "self" data scope matches: the member operates the account themself.
    await q.query(`
      CREATE TABLE account_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        unit_id uuid NOT NULL,
        member_id uuid REFERENCES users (id),
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX account_assignments_key ON account_assignments (org_id, account_id, unit_id, COALESCE(member_id, '00000000-0000-0000-0000-000000000000'))`,
    );
    await q.query(`CREATE INDEX account_assignments_account_idx ON account_assignments (account_id, org_id)`);

    await q.query(`
      CREATE TABLE account_credentials (
        account_id uuid PRIMARY KEY REFERENCES social_accounts (id),
        kind varchar(16) NOT NULL CHECK (kind IN ('password', 'oauth')),
        key_id varchar(64) NOT NULL,
        ciphertext text NOT NULL,
        access_token_expires_at timestamptz(3),
        refresh_token_expires_at timestamptz(3),
        stored_by uuid,
        stored_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX account_credentials_key_idx ON account_credentials (key_id)`);

    await q.query(`
      CREATE TABLE credential_reveals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        org_id uuid NOT NULL REFERENCES organizations (id),
        user_id uuid NOT NULL REFERENCES users (id),
        reason varchar(500) NOT NULL,
        ip varchar(64),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX credential_reveals_account_idx ON credential_reveals (account_id, created_at DESC)`,
    );
    await q.query(`CREATE INDEX credential_reveals_org_idx ON credential_reveals (org_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credential_reveals`);
    await q.query(`DROP TABLE account_credentials`);
    await q.query(`DROP TABLE account_assignments`);
    await q.query(`DROP TABLE account_authorization_accounts`);
    await q.query(`DROP TABLE account_authorizations`);
    await q.query(`DROP TABLE social_accounts`);
  }
}
