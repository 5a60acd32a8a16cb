import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CALENDAR_COLUMNS, CalendarRow, toDefinition } from './calendar-row';
import { CompiledCalendars } from './compiled-calendars';
import { POLICY_COLUMNS, PolicyRow, toPolicyDto } from './policy-row';
import { SlaTargets } from './sla-clock';
import { SlaPolicyDto } from './sla-policy.dto';
import { TicketFacts } from './ticket-facts';
import { CompiledCalendar } from './working-time';

export interface ResolvedSlaPolicy {
  policy: SlaPolicyDto;
  /** The policy's calendar, or the organization's default; null only if the organization has none. */
  calendar: CompiledCalendar | null;
  targets: SlaTargets;
}

/**
 * The tickets module's way in: which policy applies to a ticket, with its compiled calendar. Matching
 * runs in SQL (one row); the calendar is loaded only when the cache lacks its current version.
 */
@Injectable()
export class SlaPolicyResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly compiled: CompiledCalendars,
  ) {}

  async resolve(
    orgId: string,
    facts: TicketFacts,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ResolvedSlaPolicy | null> {
    const rows: (PolicyRow & { cal_id: string | null; cal_version: number | null })[] = await manager.query(
      `SELECT ${POLICY_COLUMNS}, c.id AS cal_id, c.version AS cal_version
         FROM sla_policies p
         LEFT JOIN service_calendars c
           ON c.org_id = p.org_id AND (c.id = p.calendar_id OR (p.calendar_id IS NULL AND c.is_default))
        WHERE p.org_id = $1
          AND (cardinality(p.ticket_types) = 0 OR $2 = ANY (p.ticket_types))
          AND (cardinality(p.priorities) = 0 OR $3 = ANY (p.priorities))
          AND (cardinality(p.customer_tiers) = 0 OR lower(trim($4::text)) = ANY (p.customer_tiers))
          AND (cardinality(p.channels) = 0 OR $5 = ANY (p.channels))
        ORDER BY p.position, p.id
        LIMIT 1`,
      [orgId, facts.type, facts.priority, facts.tier, facts.channel],
    );
    const row = rows[0];
    if (!row) return null;
    let calendar: CompiledCalendar | null = null;
    if (row.cal_id !== null && row.cal_version !== null) {
      calendar =
        this.compiled.peek(row.cal_id, row.cal_version) ?? (await this.calendar(orgId, row.cal_id, manager));
    }
    return {
      policy: toPolicyDto(row),
      calendar,
      targets: {
        firstResponse: row.first_response,
        nextResponse: row.next_response,
        resolution: row.resolution,
      },
    };
  }

  /**
   * A calendar of the organization, compiled (cached by version): a ticket's SLA keeps counting on the
   * calendar its policy named when it was applied. Null when the calendar is gone.
   */
  async calendar(
    orgId: string,
    calendarId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CompiledCalendar | null> {
    const [calendarRow]: CalendarRow[] = await manager.query(
      `SELECT ${CALENDAR_COLUMNS} FROM service_calendars WHERE org_id = $1 AND id = $2`,
      [orgId, calendarId],
    );
    return calendarRow ? this.compiled.get(toDefinition(calendarRow)) : null;
  }
  /** The organization's default calendar, compiled (cached by version); null when it has none. */
  async defaultCalendar(
    orgId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CompiledCalendar | null> {
    const [calendarRow]: CalendarRow[] = await manager.query(
      `SELECT ${CALENDAR_COLUMNS} FROM service_calendars WHERE org_id = $1 AND is_default`,
      [orgId],
    );
    return calendarRow ? this.compiled.get(toDefinition(calendarRow)) : null;
  }
}
