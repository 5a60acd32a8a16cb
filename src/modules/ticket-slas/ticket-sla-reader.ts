import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import { CompiledCalendar, SlaPolicyResolver, SlaClock } from '../service-levels';
import { TicketSlaSource, TicketSlaSummaryDto, TicketSlaViews } from '../tickets/ticket-sla-view';
import { TicketsService } from '../tickets/tickets.service';
import { TicketSlaDto, TicketSlaEventDto, TicketSlaTargetDto } from './ticket-sla.dto';
import { isPaused, SLA_TARGET_KINDS, TARGET_KEY, TicketSlaRow, toClockPauses } from './ticket-sla-row';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Reads tickets' SLAs: one ticket with its event history (the endpoint), or many at once without it
 * (`forTickets`). It is also the tickets module's SLA source: every ticket DTO the tickets module answers
 * (list, detail, each change) carries the summary it reads here, one page at a time. Remaining minutes
 * are measured at the clock's now.
 */
@Injectable()
export class TicketSlaReader implements TicketSlaSource, OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly resolver: SlaPolicyResolver,
    private readonly tickets: TicketsService,
    private readonly views: TicketSlaViews,
  ) {}

  onModuleInit(): void {
    this.views.register(this);
  }

  /** The summaries shown on ticket DTOs: one query for the page's SLA rows, one per distinct calendar. */
  async summaries(orgId: string, ticketIds: readonly string[]): Promise<Map<string, TicketSlaSummaryDto>> {
    const result = new Map<string, TicketSlaSummaryDto>();
    for (const [id, sla] of await this.forTickets(orgId, ticketIds)) {
      result.set(id, {
        policyId: sla.policyId,
        policyName: sla.policyName,
        paused: sla.paused,
        firstResponseDueAt: sla.firstResponseDueAt,
        nextResponseDueAt: sla.nextResponseDueAt,
        resolutionDueAt: sla.resolutionDueAt,
        remainingMinutes: { ...sla.remainingMinutes },
      });
    }
    return result;
  }

  /** The SLA of a ticket the caller's `tickets:read` scope covers; another tenant's or one outside it is 404. */
  async get(scope: DataScope, ticketId: string): Promise<TicketSlaDto> {
    await this.tickets.get(scope, ticketId);
    const [sla] = (await this.forTickets(scope.orgId, [ticketId], { events: true })).values();
    if (!sla) throw DomainError.notFound('Ticket SLA');
    return sla;
  }

  /**
   * SLAs keyed by ticket id, for tickets of this organization (ids of others are simply absent). The
   * caller has already applied its scope to the ids. Events are left out unless asked for.
   */
  async forTickets(
    orgId: string,
    ticketIds: readonly string[],
    options: { events?: boolean } = {},
  ): Promise<Map<string, TicketSlaDto>> {
    const result = new Map<string, TicketSlaDto>();
    if (ticketIds.length === 0) return result;
    const rows: TicketSlaRow[] = await this.dataSource.query(
      `SELECT * FROM ticket_slas WHERE org_id = $1 AND ticket_id = ANY($2::uuid[])`,
      [orgId, [...new Set(ticketIds)]],
    );
    const events = new Map<string, TicketSlaEventDto[]>();
    if (options.events && rows.length > 0) {
      const eventRows: {
        ticket_id: string;
        kind: TicketSlaEventDto['kind'];
        target: TicketSlaEventDto['target'];
        at: Date;
        data: Record<string, unknown>;
      }[] = await this.dataSource.query(
        `SELECT ticket_id, kind, target, at, data FROM ticket_sla_events
            WHERE org_id = $1 AND ticket_id = ANY($2::uuid[]) ORDER BY seq`,
        [orgId, rows.map((r) => r.ticket_id)],
      );
      for (const e of eventRows) {
        const list = events.get(e.ticket_id) ?? [];
        list.push({ kind: e.kind, target: e.target, at: e.at.toISOString(), data: e.data });
        events.set(e.ticket_id, list);
      }
    }
    const calendars = new Map<string, CompiledCalendar | null>();
    for (const id of new Set(rows.map((r) => r.calendar_id).filter((c): c is string => c !== null))) {
      calendars.set(id, await this.resolver.calendar(orgId, id));
    }
    const now = this.clock.now().getTime();
    for (const row of rows) {
      const calendar = row.calendar_id ? (calendars.get(row.calendar_id) ?? null) : null;
      const dto = toTicketSlaDto(row, calendar, now);
      dto.events = events.get(row.ticket_id) ?? [];
      result.set(row.ticket_id, dto);
    }
    return result;
  }
}

export function toTicketSlaDto(
  row: TicketSlaRow,
  calendar: CompiledCalendar | null,
  now: number,
): TicketSlaDto {
  const paused = isPaused(row);
  const pauses = toClockPauses(row.pauses);
  const targets: TicketSlaTargetDto[] = [];
  const remaining: Record<string, number | null> = {
    firstResponse: null,
    nextResponse: null,
    resolution: null,
  };
  for (const kind of SLA_TARGET_KINDS) {
    const target = row.targets[TARGET_KEY[kind]];
    if (!target) continue;
    const fulfilledAt = row[`${kind}_at`];
    const breachedAt = row[`${kind}_breached_at`];
    const awaited = kind !== 'next_response' || row.awaiting_reply_since !== null;
    const from = kind === 'next_response' ? row.awaiting_reply_since?.getTime() : row.started_at.getTime();
    let state: TicketSlaTargetDto['state'];
    if (fulfilledAt) state = 'fulfilled';
    else if (!awaited || !row.running) state = 'stopped';
    else if (breachedAt) state = 'breached';
    else if (paused) state = 'paused';
    else state = 'running';
    let left: number | null = null;
    if ((state === 'running' || state === 'paused' || state === 'breached') && from !== undefined) {
      const relevant =
        kind === 'next_response' ? pauses.filter((p) => (p.resumedAt ?? Infinity) > from) : pauses;
      try {
        left = SlaClock.remainingMinutes(target, calendar, from, relevant, now);
      } catch {
        left = null;
      }
      remaining[TARGET_KEY[kind]] = left;
    }
    targets.push({
      target: kind,
      minutes: target.minutes,
      mode: target.mode,
      state,
      dueAt: iso(row[`${kind}_due_at`]),
      remainingMinutes: left,
      fulfilledAt: iso(fulfilledAt),
      warnedAt: iso(row[`${kind}_warned_at`]),
      breachedAt: iso(breachedAt),
    });
  }
  return {
    ticketId: row.ticket_id,
    policyId: row.policy_id,
    policyName: row.policy_name,
    startedAt: row.started_at.toISOString(),
    paused,
    firstResponseDueAt: iso(row.first_response_due_at),
    nextResponseDueAt: row.awaiting_reply_since ? iso(row.next_response_due_at) : null,
    resolutionDueAt: iso(row.resolution_due_at),
    remainingMinutes: {
      firstResponse: remaining.firstResponse,
      nextResponse: remaining.nextResponse,
      resolution: remaining.resolution,
    },
    targets,
    events: [],
  };
}
