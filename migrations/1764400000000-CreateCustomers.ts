import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer profiles (CRM): the profile, its contact points, its history, merges, segments and the
 * regular-contact care plans with the tasks they generate. Every table leads with `org_id` so the
 * tenant column can distribute them. Phones and emails are stored normalised in clear text: they are
 * looked up by exact value and kept unique per organization, and DESIGN.md reserves encryption at rest
 * for ID numbers and credentials; every response masks them unless the reader may see them.
 */
export class CreateCustomers1764400000000 implements MigrationInterface {
  name = 'CreateCustomers1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        unit_id uuid,
        owner_id uuid REFERENCES users (id),
        kind varchar(16) NOT NULL CHECK (kind IN ('person', 'company')),
        display_name varchar(200) NOT NULL,
        company_name varchar(200),
        tier varchar(32) NOT NULL DEFAULT 'normal' CHECK (tier ~ '^[a-z][a-z0-9_]{0,31}$'),
        tags varchar(50)[] NOT NULL DEFAULT '{}',
        consent_marketing boolean NOT NULL DEFAULT false,
        consent_data_processing boolean NOT NULL DEFAULT false,
        lifetime_value_fen bigint NOT NULL DEFAULT 0 CHECK (lifetime_value_fen >= 0),
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'merged')),
        merged_into uuid,
        merged_at timestamptz(3),
        last_contact_at timestamptz(3),
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        archived_at timestamptz(3),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        FOREIGN KEY (org_id, merged_into) REFERENCES customers (org_id, id),
        CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
        CHECK (merged_into IS NULL OR merged_into <> id)
      )`);
    await q.query(
      `CREATE INDEX customers_org_idx ON customers (org_id, created_at DESC, id DESC) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX customers_owner_idx ON customers (org_id, owner_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX customers_unit_idx ON customers (org_id, unit_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX customers_tags_idx ON customers USING gin (tags)`);
    await q.query(
      `CREATE INDEX customers_merged_into_idx ON customers (org_id, merged_into) WHERE merged_into IS NOT NULL`,
    );

    // A contact point is retired (not deleted) when its customer is archived or it is removed, so the
    // history keeps what was known; only live points are unique within the organization.
    await q.query(`
      CREATE TABLE customer_contact_points (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('phone', 'email', 'douyin', 'wechat')),
        value varchar(320) NOT NULL,
        is_primary boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        retired_at timestamptz(3),
        FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customer_contact_points_value_key ON customer_contact_points (org_id, kind, value) WHERE retired_at IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX customer_contact_points_primary_key ON customer_contact_points (org_id, customer_id, kind) WHERE is_primary AND retired_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX customer_contact_points_customer_idx ON customer_contact_points (org_id, customer_id) WHERE retired_at IS NULL`,
    );

    // The profile's own history. Other modules add their entries through a registered history source,
    // never by writing here.
    await q.query(`
      CREATE TABLE customer_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        kind varchar(64) NOT NULL,
        actor_user_id uuid,
        details jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
      )`);
    await q.query(
      `CREATE INDEX customer_events_customer_idx ON customer_events (org_id, customer_id, occurred_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE customer_merges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        target_id uuid NOT NULL,
        source_id uuid NOT NULL,
        merged_by uuid,
        details jsonb NOT NULL DEFAULT '{}',
        merged_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, target_id) REFERENCES customers (org_id, id),
        FOREIGN KEY (org_id, source_id) REFERENCES customers (org_id, id),
        UNIQUE (org_id, source_id),
        CHECK (target_id <> source_id)
      )`);
    await q.query(`CREATE INDEX customer_merges_target_idx ON customer_merges (org_id, target_id)`);

    await q.query(`
      CREATE TABLE customer_segments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        name varchar(100) NOT NULL,
        description varchar(500),
        rule jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customer_segments_name_key ON customer_segments (org_id, lower(name))`,
    );

    await q.query(`
      CREATE TABLE customer_care_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        tier varchar(32) NOT NULL,
        interval_days integer NOT NULL CHECK (interval_days BETWEEN 1 AND 366),
        active boolean NOT NULL DEFAULT true,
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        UNIQUE (org_id, tier)
      )`);

    // One task per customer and due date: the generator's INSERT … ON CONFLICT DO NOTHING relies on it,
    // so two replicas (or a rerun) can never create a second task for the same contact.
    await q.query(`
      CREATE TABLE customer_care_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        plan_id uuid NOT NULL,
        owner_id uuid REFERENCES users (id),
        unit_id uuid,
        due_on date NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        note varchar(2000),
        completed_by uuid,
        completed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id),
        FOREIGN KEY (org_id, plan_id) REFERENCES customer_care_plans (org_id, id) ON DELETE CASCADE,
        UNIQUE (org_id, customer_id, due_on)
      )`);
    await q.query(
      `CREATE INDEX customer_care_tasks_owner_idx ON customer_care_tasks (org_id, owner_id, due_on, id) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX customer_care_tasks_open_key ON customer_care_tasks (org_id, customer_id) WHERE status = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_care_tasks`);
    await q.query(`DROP TABLE customer_care_plans`);
    await q.query(`DROP TABLE customer_segments`);
    await q.query(`DROP TABLE customer_merges`);
    await q.query(`DROP TABLE customer_events`);
    await q.query(`DROP TABLE customer_contact_points`);
    await q.query(`DROP TABLE customers`);
  }
}
