import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of create requests (`Idempotency-Key` header, `@Idempotent()` routes). One row per
 * caller and key: claimed `in_progress` when the first request arrives, `completed` with the response to
 * replay once it succeeded, deleted when it failed. Rows are disposable: they expire (IDEMPOTENCY_KEY_TTL_HOURS)
 * and a daily job deletes them, so there are no foreign keys to the users or API keys they belong to.
 */
export class CreateIdempotencyKeys1764000000040 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764000000040';

  async up(q: QueryRunner): Promise<void> {
    // response_body is json, not jsonb: json keeps the text as the handler serialized it, so a replay
    // answers byte for byte the original body (jsonb would reorder its keys).
    await q.query(`
      CREATE TABLE idempotency_keys (
        id uuid PRIMARY KEY,
        principal_kind varchar(8) NOT NULL CHECK (principal_kind IN ('user', 'api_key')),
        principal_id uuid NOT NULL,
        key varchar(255) NOT NULL CHECK (key ~ '^[ -~]{1,255}$'),
        method varchar(10) NOT NULL,
        route varchar(300) NOT NULL,
        request_hash char(64) NOT NULL,
        status varchar(12) NOT NULL CHECK (status IN ('in_progress', 'completed')),
        response_status smallint,
        response_body json,
        response_headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL,
        completed_at timestamptz(3),
        expires_at timestamptz(3) NOT NULL,
        CONSTRAINT idempotency_keys_completed_has_response
          CHECK (status = 'in_progress' OR (response_status IS NOT NULL AND completed_at IS NOT NULL))
      )`);
    // Keys are scoped per caller: two callers may use the same key for unrelated requests.
    await q.query(`
      CREATE UNIQUE INDEX idempotency_keys_principal_key_uq
        ON idempotency_keys (principal_kind, principal_id, key)`);
    await q.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
