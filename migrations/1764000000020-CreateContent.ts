import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content publishing: contents with their revisions and state history, review tasks at the
 * organization and platform levels, restore requests after removal, and publish attempts.
 * Removed content is kept: nothing here deletes a published text.
 */
export class CreateContent1764000000020 implements MigrationInterface {
  name = 'CreateContent1764000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        unit_id uuid NOT NULL,
        owner_id uuid REFERENCES users (id),
        kind varchar(16) NOT NULL CHECK (kind IN ('video', 'image_text', 'article', 'post')),
        title varchar(200) NOT NULL,
        body text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
        category varchar(64),
        tags varchar(32)[] NOT NULL DEFAULT '{}',
        target_kind varchar(16) NOT NULL CHECK (target_kind IN ('platform', 'social_account')),
        target_channel varchar(32),
        target_account_id uuid REFERENCES social_accounts (id),
        publish_at timestamptz(3),
        state varchar(16) NOT NULL DEFAULT 'draft' CHECK (state IN (
          'draft', 'submitted', 'in_review', 'approved', 'rejected', 'published', 'publish_failed', 'removed', 'restored')),
        state_changed_at timestamptz(3) NOT NULL DEFAULT now(),
        revision integer NOT NULL DEFAULT 1,
        findings jsonb NOT NULL DEFAULT '[]'::jsonb,
        sort_weight integer NOT NULL DEFAULT 0,
        recommended boolean NOT NULL DEFAULT false,
        featured boolean NOT NULL DEFAULT false,
        pinned boolean NOT NULL DEFAULT false,
        pinned_until timestamptz(3),
        published_at timestamptz(3),
        external_post_id varchar(200),
        publish_attempts integer NOT NULL DEFAULT 0,
        next_publish_attempt_at timestamptz(3),
        last_publish_error varchar(2000),
        removed_at timestamptz(3),
        removed_by uuid,
        removal_reason_code varchar(64),
        removal_note varchar(1000),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3),
        version integer NOT NULL DEFAULT 1,
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        CHECK ((target_kind = 'social_account') = (target_account_id IS NOT NULL)),
        CHECK ((target_kind = 'platform') = (target_channel IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX contents_org_idx ON contents (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE INDEX contents_org_state_idx ON contents (org_id, state) WHERE deleted_at IS NULL`);
    await q.query(
      `CREATE INDEX contents_account_idx ON contents (target_account_id) WHERE target_account_id IS NOT NULL`,
    );
    // The public listing: published platform content of one category, pinned first.
    await q.query(`
      CREATE INDEX contents_public_idx ON contents (category, pinned DESC, sort_weight DESC, published_at DESC, id DESC)
      WHERE state IN ('published', 'restored') AND target_kind = 'platform' AND deleted_at IS NULL`);
    await q.query(`
      CREATE INDEX contents_due_idx ON contents (publish_at)
      WHERE state = 'approved' AND deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE content_revisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_id uuid NOT NULL REFERENCES contents (id),
        revision integer NOT NULL,
        title varchar(200) NOT NULL,
        body text NOT NULL,
        attachments jsonb NOT NULL,
        category varchar(64),
        tags varchar(32)[] NOT NULL,
        edited_by uuid,
        editor_role varchar(16) NOT NULL CHECK (editor_role IN ('author', 'editor', 'platform')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (content_id, revision)
      )`);

    // Every state change, with who, why and what the automatic review found: the content's history.
    await q.query(`
      CREATE TABLE content_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        content_id uuid NOT NULL REFERENCES contents (id),
        org_id uuid NOT NULL,
        from_state varchar(16),
        to_state varchar(16) NOT NULL,
        action varchar(32) NOT NULL,
        actor_user_id uuid,
        actor_org_id uuid,
        reason_code varchar(64),
        note varchar(1000),
        findings jsonb,
        revision integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX content_events_content_idx ON content_events (content_id, seq)`);

    await q.query(`
      CREATE TABLE review_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_id uuid NOT NULL REFERENCES contents (id),
        org_id uuid NOT NULL,
        level varchar(16) NOT NULL CHECK (level IN ('organization', 'platform')),
        status varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided', 'cancelled')),
        revision integer NOT NULL,
        findings jsonb NOT NULL DEFAULT '[]'::jsonb,
        claimed_by uuid,
        claim_expires_at timestamptz(3),
        decided_by uuid,
        decision varchar(16) CHECK (decision IN ('approve', 'reject')),
        reason_code varchar(64),
        note varchar(1000),
        decided_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(
      `CREATE UNIQUE INDEX review_tasks_open_key ON review_tasks (content_id) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX review_tasks_queue_idx ON review_tasks (level, org_id, created_at, id) WHERE status = 'open'`,
    );

    await q.query(`
      CREATE TABLE content_restore_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_id uuid NOT NULL REFERENCES contents (id),
        org_id uuid NOT NULL,
        requested_by uuid,
        justification varchar(2000) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by uuid,
        decided_at timestamptz(3),
        decision_note varchar(1000),
        findings jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX content_restore_requests_pending_key ON content_restore_requests (content_id) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX content_restore_requests_queue_idx ON content_restore_requests (status, created_at, id)`,
    );

    await q.query(`
      CREATE TABLE content_publish_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_id uuid NOT NULL REFERENCES contents (id),
        attempt integer NOT NULL,
        connector varchar(32) NOT NULL,
        outcome varchar(16) NOT NULL CHECK (outcome IN ('pending', 'succeeded', 'failed', 'refused')),
        error varchar(2000),
        external_post_id varchar(200),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX content_publish_attempts_content_idx ON content_publish_attempts (content_id, attempt)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE content_publish_attempts`);
    await q.query(`DROP TABLE content_restore_requests`);
    await q.query(`DROP TABLE review_tasks`);
    await q.query(`DROP TABLE content_events`);
    await q.query(`DROP TABLE content_revisions`);
    await q.query(`DROP TABLE contents`);
  }
}
