import { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns a rollup row is keyed by: the dimensions the traffic and channel reports filter on. */
const DIMENSIONS = `
        social_account_id uuid,
        channel text NOT NULL,
        campaign_id uuid,
        utm_source text,
        utm_medium text,
        utm_campaign text,
        device_type text`;

/** Additive counts of a rollup row (sessions count in the hour/day they start). */
const COUNTS = `
        page_views bigint NOT NULL,
        events bigint NOT NULL,
        sessions bigint NOT NULL,
        bounces bigint NOT NULL,
        session_ms bigint NOT NULL,
        conversions bigint NOT NULL,
        purchases bigint NOT NULL,
        amount_fen bigint NOT NULL`;

/**
 * Rollups of the analytics events (docs/analytics.md, "Rollups"): hourly and daily additive counts per
 * organization and dimension combination, one row per person per local day for exact distinct counts,
 * the dirty hours written by ingestion (late events), and the rebuild requests with their progress.
 * Every key leads with `org_id`, like the events. A local day is recomputed whole (delete + insert), so
 * the rollup tables need no unique key over their nullable dimensions.
 */
export class CreateAnalyticsRollups1764930000000 implements MigrationInterface {
  name = 'CreateAnalyticsRollups1764930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_rollup_hours (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        day date NOT NULL,
        hour timestamptz NOT NULL,${DIMENSIONS},${COUNTS}
      )`);
    await q.query(`CREATE INDEX analytics_rollup_hours_org_hour ON analytics_rollup_hours (org_id, hour)`);
    await q.query(`CREATE INDEX analytics_rollup_hours_org_day ON analytics_rollup_hours (org_id, day)`);
    await q.query(`
      CREATE TABLE analytics_rollup_days (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        day date NOT NULL,${DIMENSIONS},${COUNTS}
      )`);
    await q.query(`CREATE INDEX analytics_rollup_days_org_day ON analytics_rollup_days (org_id, day)`);
    await q.query(`
      CREATE TABLE analytics_person_days (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        day date NOT NULL,
        person text NOT NULL,${DIMENSIONS},
        hours integer NOT NULL,
        events bigint NOT NULL,
        conversions bigint NOT NULL
      )`);
    await q.query(
      `CREATE INDEX analytics_person_days_org_day ON analytics_person_days (org_id, day) INCLUDE (person)`,
    );
    await q.query(
      `CREATE INDEX analytics_person_days_org_person ON analytics_person_days (org_id, person, day)`,
    );
    await q.query(`
      CREATE TABLE analytics_rollup_dirty (
        org_id uuid NOT NULL,
        hour timestamptz NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX analytics_rollup_dirty_marked ON analytics_rollup_dirty (marked_at)`);
    await q.query(`
      CREATE TABLE analytics_rollup_rebuilds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        from_day date NOT NULL,
        to_day date NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        days_total integer NOT NULL,
        days_done integer NOT NULL DEFAULT 0,
        requested_by uuid,
        error text,
        created_at timestamptz(3) NOT NULL,
        finished_at timestamptz(3)
      )`);
    await q.query(
      `CREATE INDEX analytics_rollup_rebuilds_org ON analytics_rollup_rebuilds (org_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics_rollup_rebuilds`);
    await q.query(`DROP TABLE analytics_rollup_dirty`);
    await q.query(`DROP TABLE analytics_person_days`);
    await q.query(`DROP TABLE analytics_rollup_days`);
    await q.query(`DROP TABLE analytics_rollup_hours`);
  }
}
