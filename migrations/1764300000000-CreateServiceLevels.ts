import { MigrationInterface, QueryRunner } from 'typeorm';
import { PLATFORM_ORG_ID } from '../src/modules/access/platform-org';
import { STANDARD_WEEKLY_HOURS } from '../src/modules/service-levels/calendar.types';
import { MAINLAND_HOLIDAYS } from '../src/modules/service-levels/mainland-holidays.data';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';

/**
 * Service calendars and SLA policies. Loads the platform calendar with the mainland holiday data as it
 * stands in this release (later years are added by platform staff through the API, or by a later
 * migration), then gives every existing agency and brand a default calendar copied from it and the
 * guide's two policies, as organization creation does for new ones.
 */
export class CreateServiceLevels1764300000000 implements MigrationInterface {
  name = 'CreateServiceLevels1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        time_zone varchar(64) NOT NULL DEFAULT 'Asia/Shanghai',
        weekly_hours jsonb NOT NULL,
        overrides jsonb NOT NULL DEFAULT '[]',
        is_default boolean NOT NULL DEFAULT false,
        copied_from uuid,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT service_calendars_org_id_id_key UNIQUE (org_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX service_calendars_one_default ON service_calendars (org_id) WHERE is_default`,
    );
    await q.query(`CREATE INDEX service_calendars_org_created ON service_calendars (org_id, created_at, id)`);
    await q.query(`
      CREATE TABLE sla_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        position integer NOT NULL,
        ticket_types text[] NOT NULL DEFAULT '{}',
        priorities text[] NOT NULL DEFAULT '{}',
        customer_tiers text[] NOT NULL DEFAULT '{}',
        channels text[] NOT NULL DEFAULT '{}',
        first_response jsonb,
        next_response jsonb,
        resolution jsonb,
        calendar_id uuid,
        warn_before_minutes integer,
        seed_key varchar(40),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        -- The tenant is part of the key, so a policy cannot name another organization's calendar.
        CONSTRAINT sla_policies_calendar_fkey FOREIGN KEY (org_id, calendar_id)
          REFERENCES service_calendars (org_id, id),
        CONSTRAINT sla_policies_org_position_key UNIQUE (org_id, position) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT sla_policies_org_seed_key UNIQUE (org_id, seed_key)
      )`);
    await q.query(
      `INSERT INTO service_calendars (org_id, name, time_zone, weekly_hours, overrides, is_default)
       VALUES ($1, '中国大陆法定节假日 (Mainland China public holidays)', 'Asia/Shanghai', $2::jsonb, $3::jsonb, true)`,
      [PLATFORM_ORG_ID, JSON.stringify(STANDARD_WEEKLY_HOURS), JSON.stringify(MAINLAND_HOLIDAYS)],
    );
    await provisionServiceLevels(q, null);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sla_policies`);
    await q.query(`DROP TABLE service_calendars`);
  }
}
