import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved funnels (ordered steps and a conversion window, organization-wide definitions) and each
 * organization's path cleaning rules (an ordered list of regex → alias, one row per organization).
 * No index on the events: the funnel, path and retention queries read one organization's period
 * through the primary key `(org_id, occurred_at, event_id)` and aggregate by person in memory of the
 * query (hash aggregate); a person index `(org_id, coalesce(user_id, anonymous_id), occurred_at)` was
 * measured and did not change their plans (docs/analytics.md, "Behaviour reports").
 */
export class CreateAnalyticsBehaviour1764940000000 implements MigrationInterface {
  name = 'CreateAnalyticsBehaviour1764940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_funnels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        name varchar(100) NOT NULL,
        description varchar(500),
        steps jsonb NOT NULL,
        conversion_window_seconds integer NOT NULL CHECK (conversion_window_seconds > 0),
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_funnels_name_key ON analytics_funnels (org_id, lower(name))`,
    );
    await q.query(
      `CREATE INDEX analytics_funnels_list ON analytics_funnels (org_id, created_at DESC, id DESC)`,
    );
    await q.query(`
      CREATE TABLE analytics_path_rules (
        org_id uuid PRIMARY KEY REFERENCES organizations (id),
        rules jsonb NOT NULL DEFAULT '[]',
        updated_by uuid,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics_path_rules`);
    await q.query(`DROP TABLE analytics_funnels`);
  }
}
