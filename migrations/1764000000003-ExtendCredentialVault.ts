import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the credential vault needs beyond its first tables:
 *
 * - `account_credentials.login_name_masked`: the masked login name, computed once when stored, so a
 *   normal read shows it without decrypting anything; and checks that tie the clear expiry columns to
 *   the kind (an OAuth credential always has an access-token expiry, a password never has one).
 * - `credential_reveals.brand_org_id`: the anomaly rules ask "reveals of this brand's accounts" (in the
 *   last day, from this IP): a column and indexes answer that without joining every reveal to its
 *   account. Plus an index for the per-user hourly limit.
 */
export class ExtendCredentialVault1764000000003 implements MigrationInterface {
  name = 'ExtendCredentialVault1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE account_credentials ADD COLUMN login_name_masked varchar(16)`);
    await q.query(`
      ALTER TABLE account_credentials
        ADD CONSTRAINT account_credentials_expiry_kind_check
        CHECK ((kind = 'oauth') = (access_token_expires_at IS NOT NULL)
               AND (kind = 'oauth' OR refresh_token_expires_at IS NULL))`);

    await q.query(
      `ALTER TABLE credential_reveals ADD COLUMN brand_org_id uuid REFERENCES organizations (id)`,
    );
    await q.query(`
      UPDATE credential_reveals r SET brand_org_id = a.org_id
      FROM social_accounts a WHERE a.id = r.account_id`);
    await q.query(`ALTER TABLE credential_reveals ALTER COLUMN brand_org_id SET NOT NULL`);
    await q.query(
      `CREATE INDEX credential_reveals_brand_idx ON credential_reveals (brand_org_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX credential_reveals_brand_org_ip_idx ON credential_reveals (brand_org_id, org_id, ip)`,
    );
    await q.query(
      `CREATE INDEX credential_reveals_user_idx ON credential_reveals (user_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX credential_reveals_user_idx`);
    await q.query(`DROP INDEX credential_reveals_brand_org_ip_idx`);
    await q.query(`DROP INDEX credential_reveals_brand_idx`);
    await q.query(`ALTER TABLE credential_reveals DROP COLUMN brand_org_id`);
    await q.query(`ALTER TABLE account_credentials DROP CONSTRAINT account_credentials_expiry_kind_check`);
    await q.query(`ALTER TABLE account_credentials DROP COLUMN login_name_masked`);
  }
}
