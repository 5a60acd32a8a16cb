import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics segments (saved rules over the people seen in events) and optimization goals (a metric,
 * filters, a baseline window, a target and a deadline) with the optimizations applied to them. Rows
 * belong to a unit of the organization and to an owner, so data scopes apply to them like to any
 * tenant row; `(org_id, unit_id)` references the unit so a row cannot point into another tenant.
 */
export class CreateAnalyticsSegmentsAndGoals1764950000000 implements MigrationInterface {
  name = 'CreateAnalyticsSegmentsAndGoals1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_segments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        unit_id uuid NOT NULL,
        owner_id uuid,
        name varchar(100) NOT NULL,
        description varchar(500),
        lookback_days integer NOT NULL CHECK (lookback_days BETWEEN 1 AND 366),
        rule jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_segments_name_key ON analytics_segments (org_id, lower(name))`,
    );
    await q.query(
      `CREATE INDEX analytics_segments_list_idx ON analytics_segments (org_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE analytics_goals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id),
        unit_id uuid NOT NULL,
        owner_id uuid,
        name varchar(100) NOT NULL,
        metric varchar(40) NOT NULL,
        filters jsonb NOT NULL DEFAULT '{}',
        account_ids uuid[] NOT NULL,
        include_unattributed boolean NOT NULL,
        baseline_from date NOT NULL,
        baseline_to date NOT NULL CHECK (baseline_to >= baseline_from),
        baseline_mean double precision NOT NULL,
        target_value double precision NOT NULL,
        direction varchar(8) NOT NULL CHECK (direction IN ('increase', 'decrease')),
        deadline timestamptz(3) NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'achieved', 'missed')),
        final_value double precision,
        evaluated_at timestamptz(3),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(
      `CREATE INDEX analytics_goals_list_idx ON analytics_goals (org_id, created_at DESC, id DESC)`,
    );
    // The deadline job's scan: active goals by deadline, across organizations.
    await q.query(
      `CREATE INDEX analytics_goals_deadline_idx ON analytics_goals (deadline) WHERE state = 'active'`,
    );

    await q.query(`
      CREATE TABLE analytics_goal_applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        applied_at timestamptz(3) NOT NULL,
        note varchar(500),
        recorded_by uuid,
        recorded_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, goal_id) REFERENCES analytics_goals (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX analytics_goal_applications_goal_idx ON analytics_goal_applications (org_id, goal_id, applied_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics_goal_applications`);
    await q.query(`DROP TABLE analytics_goals`);
    await q.query(`DROP TABLE analytics_segments`);
  }
}
