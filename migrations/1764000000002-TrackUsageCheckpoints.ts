import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain head remembers the newest checkpoint (seq and time), read under the head's row lock, so an
 * append decides "checkpoint now?" without another query and the checkpoint job finds due chains from
 * the heads alone. Records refuse empty strings for ip and request_id: the CSV export writes NULL as an
 * empty cell, and the two must not be confused when an auditor recomputes a hash from it.
 */
export class TrackUsageCheckpoints1764000000002 implements MigrationInterface {
  name = 'TrackUsageCheckpoints1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE account_usage_heads
        ADD COLUMN checkpoint_seq bigint NOT NULL DEFAULT 0,
        ADD COLUMN checkpointed_at timestamptz`);
    await q.query(`
      UPDATE account_usage_heads h
         SET checkpoint_seq = c.seq, checkpointed_at = c.signed_at
        FROM (SELECT DISTINCT ON (account_id) account_id, seq, signed_at
                FROM account_usage_checkpoints ORDER BY account_id, seq DESC) c
       WHERE c.account_id = h.account_id`);
    await q.query(`
      ALTER TABLE account_usage_records
        ADD CONSTRAINT account_usage_records_ip_not_empty CHECK (ip <> ''),
        ADD CONSTRAINT account_usage_records_request_id_not_empty CHECK (request_id <> '')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE account_usage_records
        DROP CONSTRAINT account_usage_records_request_id_not_empty,
        DROP CONSTRAINT account_usage_records_ip_not_empty`);
    await q.query(`
      ALTER TABLE account_usage_heads DROP COLUMN checkpointed_at, DROP COLUMN checkpoint_seq`);
  }
}
