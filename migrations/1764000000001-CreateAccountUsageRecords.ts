import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account usage records (账号使用记录): an append-only, hash-chained log per social account, the head
 * of each chain (locked to serialize appends, never trusted by verification), and signed checkpoints
 * that let verification notice a deleted tail. Records and checkpoints refuse UPDATE, DELETE and
 * TRUNCATE in the database itself.
 */
export class CreateAccountUsageRecords1764000000001 implements MigrationInterface {
  name = 'CreateAccountUsageRecords1764000000001';

  async up(q: QueryRunner): Promise<void> {
    // occurred_at keeps microseconds: the canonical form hashes UTC epoch microseconds.
    await q.query(`
      CREATE TABLE account_usage_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        seq bigint NOT NULL CHECK (seq > 0),
        brand_org_id uuid NOT NULL,
        actor_org_id uuid,
        agency_org_id uuid,
        actor_user_id uuid,
        api_key_id uuid,
        action varchar(64) NOT NULL,
        ip varchar(64),
        request_id varchar(128),
        occurred_at timestamptz NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        UNIQUE (account_id, seq)
      )`);
    await q.query(
      `CREATE INDEX account_usage_records_agency_idx ON account_usage_records (account_id, agency_org_id, seq)`,
    );
    await q.query(
      `CREATE INDEX account_usage_records_action_idx ON account_usage_records (account_id, action, seq)`,
    );

    await q.query(`
      CREATE TABLE account_usage_heads (
        account_id uuid PRIMARY KEY REFERENCES social_accounts (id),
        seq bigint NOT NULL,
        head_hash char(64) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE account_usage_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        seq bigint NOT NULL,
        head_hash char(64) NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id varchar(64) NOT NULL,
        signature varchar(200) NOT NULL,
        UNIQUE (account_id, seq)
      )`);
    await q.query(
      `CREATE INDEX account_usage_checkpoints_latest_idx ON account_usage_checkpoints (account_id, seq DESC)`,
    );

    await q.query(`
      CREATE FUNCTION append_only_table() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of ['account_usage_records', 'account_usage_checkpoints']) {
      await q.query(`
        CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION append_only_table()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION append_only_table()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_usage_checkpoints`);
    await q.query(`DROP TABLE account_usage_heads`);
    await q.query(`DROP TABLE account_usage_records`);
    await q.query(`DROP FUNCTION append_only_table()`);
  }
}
