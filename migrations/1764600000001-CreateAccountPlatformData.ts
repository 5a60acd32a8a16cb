import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform data that does not come from tracking: a social account's daily metrics and its audience
 * portrait, imported per account per day. Rows belong to the brand organization that owns the account
 * (`org_id`), whoever imported them (`imported_by_org_id`: the brand or an authorized agency), so the
 * brand and every agency it authorizes read the same numbers; a re-import of a day replaces it. The
 * account's organization is set by the service from the account itself (social_accounts has no
 * `(org_id, id)` key to reference).
 */
export class CreateAccountPlatformData1764600000001 implements MigrationInterface {
  name = 'CreateAccountPlatformData1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE social_account_daily_metrics (
        org_id uuid NOT NULL,
        account_id uuid NOT NULL,
        day date NOT NULL,
        followers bigint NOT NULL CHECK (followers >= 0),
        plays bigint NOT NULL CHECK (plays >= 0),
        avg_play_time_ms integer NOT NULL CHECK (avg_play_time_ms >= 0),
        completion_rate_bp integer NOT NULL CHECK (completion_rate_bp BETWEEN 0 AND 10000),
        likes bigint NOT NULL CHECK (likes >= 0),
        comments bigint NOT NULL CHECK (comments >= 0),
        shares bigint NOT NULL CHECK (shares >= 0),
        imported_by_org_id uuid NOT NULL REFERENCES organizations (id),
        imported_at timestamptz(3) NOT NULL,
        PRIMARY KEY (org_id, account_id, day),
        FOREIGN KEY (account_id) REFERENCES social_accounts (id)
      )`);
    await q.query(`
      CREATE TABLE social_account_audience_portraits (
        org_id uuid NOT NULL,
        account_id uuid NOT NULL,
        day date NOT NULL,
        age_bands jsonb NOT NULL DEFAULT '[]',
        genders jsonb NOT NULL DEFAULT '[]',
        regions jsonb NOT NULL DEFAULT '[]',
        devices jsonb NOT NULL DEFAULT '[]',
        interests jsonb NOT NULL DEFAULT '[]',
        imported_by_org_id uuid NOT NULL REFERENCES organizations (id),
        imported_at timestamptz(3) NOT NULL,
        PRIMARY KEY (org_id, account_id, day),
        FOREIGN KEY (account_id) REFERENCES social_accounts (id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE social_account_audience_portraits`);
    await q.query(`DROP TABLE social_account_daily_metrics`);
  }
}
