import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operation log: one row per mutating API request (and per request to a platform route). It is
 * append-only, enforced by the database itself, and has no foreign keys on purpose: an audit record
 * outlives the users, keys and organizations it names.
 */
export class CreateOperationLogs1763900300001 implements MigrationInterface {
  name = 'CreateOperationLogs1763900300001';

  async up(q: QueryRunner): Promise<void> {
    // created_at has millisecond precision so that keyset cursors (ISO strings) round-trip exactly.
    await q.query(`
      CREATE TABLE operation_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid,
        actor_user_id uuid,
        api_key_id uuid,
        action varchar(100) NOT NULL,
        target_type varchar(64),
        target_id uuid,
        method varchar(10) NOT NULL,
        route varchar(300) NOT NULL,
        path varchar(2048) NOT NULL,
        status_code smallint NOT NULL,
        result varchar(8) NOT NULL CHECK (result IN ('success', 'failure')),
        ip varchar(64),
        user_agent varchar(512),
        request_id varchar(128) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX operation_logs_org_idx ON operation_logs (org_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX operation_logs_org_actor_idx ON operation_logs (org_id, actor_user_id, created_at DESC, id DESC)`,
    );

    // Statement-level, so even an UPDATE or DELETE that matches no row is refused.
    await q.query(`
      CREATE FUNCTION operation_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'operation_logs is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER operation_logs_no_update_delete BEFORE UPDATE OR DELETE ON operation_logs
      FOR EACH STATEMENT EXECUTE FUNCTION operation_logs_append_only()`);
    await q.query(`
      CREATE TRIGGER operation_logs_no_truncate BEFORE TRUNCATE ON operation_logs
      FOR EACH STATEMENT EXECUTE FUNCTION operation_logs_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE operation_logs`);
    await q.query(`DROP FUNCTION operation_logs_append_only()`);
  }
}
