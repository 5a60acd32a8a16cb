import { PLATFORM_ORG_ID } from '../access/platform-org';
import { workingDayMinutes } from './calendar-rules';
import { STANDARD_WEEKLY_HOURS, WeeklyHours } from './calendar.types';

/** Anything that runs SQL: an EntityManager in a service, a QueryRunner in a migration. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The guide's two policies (platform guide, chapter 8), seeded for every organization. */
export const GUIDE_POLICY_KEYS = ['guide:consultation', 'guide:complaint'] as const;

/**
 * Gives organizations what customer service needs from day one: a default calendar copied from the
 * platform calendar, and the guide's two SLA policies. `orgId` null provisions every agency and brand
 * that lacks them (the migration); a single id provisions one new organization (organization
 * creation). Idempotent: an organization with a default calendar or a seeded policy keeps it.
 */
export async function provisionServiceLevels(db: Queryable, orgId: string | null): Promise<void> {
  await db.query(
    `INSERT INTO service_calendars (org_id, name, time_zone, weekly_hours, overrides, is_default, copied_from)
     SELECT o.id, p.name, p.time_zone, p.weekly_hours, p.overrides, true, p.id
       FROM organizations o
       JOIN service_calendars p ON p.org_id = $1 AND p.is_default
      WHERE o.kind IN ('agency', 'brand') AND ($2::uuid IS NULL OR o.id = $2)
        AND NOT EXISTS (SELECT 1 FROM service_calendars c WHERE c.org_id = o.id AND c.is_default)`,
    [PLATFORM_ORG_ID, orgId],
  );
  const [platform] = (await db.query(
    `SELECT weekly_hours FROM service_calendars WHERE org_id = $1 AND is_default`,
    [PLATFORM_ORG_ID],
  )) as { weekly_hours: WeeklyHours }[];
  // "2 working days" is stored as working minutes: twice the regular weekday of the calendar copied.
  const twoWorkingDays = 2 * workingDayMinutes(platform?.weekly_hours ?? STANDARD_WEEKLY_HOURS);
  const policies = [
    {
      key: GUIDE_POLICY_KEYS[0],
      name: 'Consultations: first response within 24 hours',
      types: ['consultation'],
      firstResponse: { minutes: 24 * 60, mode: 'wall_clock' },
      resolution: null,
      warnBefore: 120,
    },
    {
      key: GUIDE_POLICY_KEYS[1],
      name: 'Complaints: reply with the result within 2 working days',
      types: ['complaint'],
      firstResponse: null,
      resolution: { minutes: twoWorkingDays, mode: 'working' },
      warnBefore: 120,
    },
  ];
  for (const policy of policies) {
    await db.query(
      `INSERT INTO sla_policies (org_id, name, position, ticket_types, first_response, resolution,
                                 warn_before_minutes, seed_key)
       SELECT o.id, $2, COALESCE((SELECT max(position) FROM sla_policies s WHERE s.org_id = o.id), 0) + 1,
              $3::text[], $4::jsonb, $5::jsonb, $6, $7::varchar
         FROM organizations o
        WHERE o.kind IN ('agency', 'brand') AND ($1::uuid IS NULL OR o.id = $1)
          AND NOT EXISTS (SELECT 1 FROM sla_policies s WHERE s.org_id = o.id AND s.seed_key = $7::varchar)`,
      [
        orgId,
        policy.name,
        policy.types,
        policy.firstResponse && JSON.stringify(policy.firstResponse),
        policy.resolution && JSON.stringify(policy.resolution),
        policy.warnBefore,
        policy.key,
      ],
    );
  }
}
