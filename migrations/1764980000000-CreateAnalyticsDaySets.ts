import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fast path of the unfiltered traffic report (docs/analytics.md, "Day sets"): a per-organization
 * person dictionary (person key → dense integer ordinal, assigned when the rollup builder first sees
 * the person) and, per organization and local day, the set of ordinals active that day (encoded bytea)
 * with the day's additive counts over every dimension combination and the accounts the day's events
 * name. Exact unique visitors over any range of days = the size of the union of their sets.
 */
export class CreateAnalyticsDaySets1764980000000 implements MigrationInterface {
  name = 'CreateAnalyticsDaySets1764980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_persons (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        person text NOT NULL,
        ordinal integer NOT NULL CHECK (ordinal >= 0),
        PRIMARY KEY (org_id, person),
        UNIQUE (org_id, ordinal)
      )`);
    await q.query(`
      CREATE TABLE analytics_day_sets (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        day date NOT NULL,
        visitors integer NOT NULL,
        persons bytea NOT NULL,
        account_ids uuid[] NOT NULL,
        page_views bigint NOT NULL,
        sessions bigint NOT NULL,
        bounces bigint NOT NULL,
        session_ms bigint NOT NULL,
        PRIMARY KEY (org_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics_day_sets`);
    await q.query(`DROP TABLE analytics_persons`);
  }
}
