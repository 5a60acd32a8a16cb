import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox and the notifications it delivers. A service writes an `outbox_events` row in
 * its own transaction; a job drains committed rows (claimed with FOR UPDATE SKIP LOCKED, so replicas
 * never take the same row) and marks each processed in the transaction that applies its effects.
 */
export class CreateNotifications1763900300000 implements MigrationInterface {
  name = 'CreateNotifications1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        available_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text,
        processed_at timestamptz,
        failed_at timestamptz
      )`);
    // The claim query reads only what is still due, oldest first.
    await q.query(`
      CREATE INDEX outbox_events_pending_idx ON outbox_events (available_at, id)
      WHERE processed_at IS NULL AND failed_at IS NULL`);
    await q.query(
      `CREATE INDEX outbox_events_processed_idx ON outbox_events (processed_at) WHERE processed_at IS NOT NULL`,
    );

    // created_at has millisecond precision so that keyset cursors (ISO strings) round-trip exactly.
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        org_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
        type varchar(64) NOT NULL,
        title varchar(200) NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        read_at timestamptz,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        outbox_event_id bigint
      )`);
    await q.query(`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC, id DESC)
      WHERE read_at IS NULL`);
    // A second delivery of the same event to the same user is a no-op, whatever happens upstream.
    await q.query(
      `CREATE UNIQUE INDEX notifications_event_user_key ON notifications (outbox_event_id, user_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE outbox_events`);
  }
}
