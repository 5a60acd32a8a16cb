import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CompiledCalendar, SlaPause, SlaPolicyResolver } from '../service-levels';
import { TicketSelection } from '../tickets/ticket-report-reader';
import { StoredPause, toClockPauses } from './ticket-sla-row';

/** What a report needs to measure a ticket's time on its SLA clock. */
export interface TicketSlaClock {
  /** When the SLA started (the ticket's creation). */
  startedAt: Date;
  /** The calendar its SLA counts on, else the organization's default; null when there is neither. */
  calendar: CompiledCalendar | null;
  /** Stretches the clock stood still: waiting on the customer, and resolved stretches before a reopen. */
  pauses: SlaPause[];
}

/** Outcomes of two targets of one policy, decided in a period. */
export interface SlaPolicyOutcome {
  policyId: string | null;
  policyName: string | null;
  firstResponseMet: number;
  firstResponseBreached: number;
  resolutionMet: number;
  resolutionBreached: number;
}

export interface SlaPolicyRef {
  policyId: string | null;
  policyName: string | null;
}

/**
 * The facts of ticket SLAs that service reports read, set-based. Restricted to a caller's tickets by a
 * `TicketSelection` (tickets module), so this module never reads the tickets table on its own.
 */
@Injectable()
export class TicketSlaReportReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly resolver: SlaPolicyResolver,
  ) {}

  /** The SLA clock of each ticket (of this organization) asked for, in one query. */
  async clocks(orgId: string, ticketIds: readonly string[]): Promise<Map<string, TicketSlaClock>> {
    const result = new Map<string, TicketSlaClock>();
    if (ticketIds.length === 0) return result;
    const rows: { ticket_id: string; calendar_id: string | null; started_at: Date; pauses: StoredPause[] }[] =
      await this.dataSource.query(
        `SELECT ticket_id, calendar_id, started_at, pauses FROM ticket_slas
          WHERE org_id = $1 AND ticket_id = ANY($2::uuid[])`,
        [orgId, [...new Set(ticketIds)]],
      );
    const calendars = new Map<string, CompiledCalendar | null>();
    for (const id of new Set(rows.map((r) => r.calendar_id).filter((c): c is string => c !== null))) {
      calendars.set(id, await this.resolver.calendar(orgId, id));
    }
    let fallback: CompiledCalendar | null | undefined;
    for (const row of rows) {
      let calendar = row.calendar_id ? (calendars.get(row.calendar_id) ?? null) : null;
      if (!calendar) {
        if (fallback === undefined) fallback = await this.resolver.defaultCalendar(orgId);
        calendar = fallback;
      }
      result.set(row.ticket_id, {
        startedAt: row.started_at,
        calendar,
        pauses: toClockPauses(row.pauses),
      });
    }
    return result;
  }

  /**
   * Per policy applied (id and name as recorded on the ticket's SLA), the first-response and resolution
   * targets decided in `[start, end)`:
   * - met: fulfilled in the period, never marked breached, and not after its due time;
   * - breached: marked breached by the sweep in the period, or (never marked) fulfilled in the period
   *   after its due time.
   */
  async outcomes(selection: TicketSelection, start: Date, end: Date): Promise<SlaPolicyOutcome[]> {
    const params: unknown[] = [selection.orgId, start, end];
    const met = (t: string) =>
      `count(*) FILTER (WHERE s.${t}_at >= $2 AND s.${t}_at < $3 AND s.${t}_breached_at IS NULL
                         AND (s.${t}_due_at IS NULL OR s.${t}_at <= s.${t}_due_at))`;
    const breachedAt = (t: string) =>
      `COALESCE(s.${t}_breached_at, CASE WHEN s.${t}_at > s.${t}_due_at THEN s.${t}_at END)`;
    const breached = (t: string) =>
      `count(*) FILTER (WHERE ${breachedAt(t)} >= $2 AND ${breachedAt(t)} < $3)`;
    const rows: {
      policy_id: string | null;
      policy_name: string | null;
      fr_met: string;
      fr_breached: string;
      res_met: string;
      res_breached: string;
    }[] = await this.dataSource.query(
      `SELECT s.policy_id, s.policy_name,
              ${met('first_response')} AS fr_met, ${breached('first_response')} AS fr_breached,
              ${met('resolution')} AS res_met, ${breached('resolution')} AS res_breached
         FROM ticket_slas s
        WHERE s.org_id = $1
          AND (s.first_response_at >= $2 OR s.first_response_breached_at >= $2
               OR s.resolution_at >= $2 OR s.resolution_breached_at >= $2)
          AND ${selection.contains('s.ticket_id', params)}
        GROUP BY 1, 2`,
      params,
    );
    selection.succeeded();
    return rows.map((r) => ({
      policyId: r.policy_id,
      policyName: r.policy_name,
      firstResponseMet: Number(r.fr_met),
      firstResponseBreached: Number(r.fr_breached),
      resolutionMet: Number(r.res_met),
      resolutionBreached: Number(r.res_breached),
    }));
  }

  /** Breaches recorded in `[start, end)` (every target, next response included), per policy applied. */
  async breaches(
    selection: TicketSelection,
    start: Date,
    end: Date,
  ): Promise<(SlaPolicyRef & { breaches: number })[]> {
    const params: unknown[] = [selection.orgId, start, end];
    const rows: { policy_id: string | null; policy_name: string | null; breaches: string }[] =
      await this.dataSource.query(
        `SELECT s.policy_id, s.policy_name, count(*) AS breaches
           FROM ticket_sla_events ev
           JOIN ticket_slas s ON s.org_id = ev.org_id AND s.ticket_id = ev.ticket_id
          WHERE ev.org_id = $1 AND ev.kind = 'breached' AND ev.at >= $2 AND ev.at < $3
            AND ${selection.contains('ev.ticket_id', params)}
          GROUP BY 1, 2`,
        params,
      );
    selection.succeeded();
    return rows.map((r) => ({
      policyId: r.policy_id,
      policyName: r.policy_name,
      breaches: Number(r.breaches),
    }));
  }

  /** The policy applied to each ticket asked for (as recorded on its SLA). */
  async policies(orgId: string, ticketIds: readonly string[]): Promise<Map<string, SlaPolicyRef>> {
    const result = new Map<string, SlaPolicyRef>();
    if (ticketIds.length === 0) return result;
    const rows: { ticket_id: string; policy_id: string | null; policy_name: string | null }[] =
      await this.dataSource.query(
        `SELECT ticket_id, policy_id, policy_name FROM ticket_slas WHERE org_id = $1 AND ticket_id = ANY($2::uuid[])`,
        [orgId, [...new Set(ticketIds)]],
      );
    for (const r of rows) result.set(r.ticket_id, { policyId: r.policy_id, policyName: r.policy_name });
    return result;
  }
}
