import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What content publishing needs beyond `content_publish_attempts`:
 *
 * - at most one `pending` attempt per content, enforced by the database: a second claim of the same
 *   content (two replicas, a bug) fails on the unique index instead of calling a connector twice;
 * - when an attempt ended and the post's URL when the connector knows one, for the attempts endpoint;
 * - `sandbox_publications`: what the sandbox connector (the default) would have published, so that a
 *   development or staging system shows its output without posting anything anywhere.
 */
export class CreateSandboxPublications1764000000030 implements MigrationInterface {
  name = 'CreateSandboxPublications1764000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE content_publish_attempts
        ADD COLUMN finished_at timestamptz(3),
        ADD COLUMN external_url varchar(2000),
        ADD CONSTRAINT content_publish_attempts_finished_check CHECK ((outcome = 'pending') = (finished_at IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX content_publish_attempts_pending_key ON content_publish_attempts (content_id) WHERE outcome = 'pending'`,
    );
    await q.query(
      `CREATE INDEX content_publish_attempts_list_idx ON content_publish_attempts (content_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE sandbox_publications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_id uuid NOT NULL REFERENCES contents (id),
        attempt integer NOT NULL,
        account_id uuid NOT NULL REFERENCES social_accounts (id),
        platform varchar(32) NOT NULL,
        kind varchar(16) NOT NULL,
        title varchar(200) NOT NULL,
        body text NOT NULL,
        attachments jsonb NOT NULL,
        tags varchar(32)[] NOT NULL,
        external_post_id varchar(200) NOT NULL,
        published_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX sandbox_publications_content_idx ON sandbox_publications (content_id)`);
    await q.query(
      `CREATE INDEX sandbox_publications_account_idx ON sandbox_publications (account_id, published_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sandbox_publications`);
    await q.query(`DROP INDEX content_publish_attempts_list_idx`);
    await q.query(`DROP INDEX content_publish_attempts_pending_key`);
    await q.query(`
      ALTER TABLE content_publish_attempts
        DROP CONSTRAINT content_publish_attempts_finished_check,
        DROP COLUMN external_url,
        DROP COLUMN finished_at`);
  }
}
