import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CustomerDirectory } from '../customers/customer-directory';
import { CompiledCalendar, computeSla, SlaPolicyResolver, SlaTargets } from '../service-levels';
import { TicketChange, TicketChangeListener, TicketEvents } from '../tickets/ticket-events';
import { TicketRow } from '../tickets/ticket-row';
import {
  SLA_TARGET_KINDS,
  SlaEventKind,
  SlaTargetKind,
  StoredPause,
  TicketSlaRow,
  toClockPauses,
} from './ticket-sla-row';

interface PendingEvent {
  kind: SlaEventKind;
  target: SlaTargetKind | null;
  data?: Record<string, unknown>;
}

/**
 * The changes a customer's message makes: a reply that ends the wait on the customer, one that reopens
 * a resolved ticket, and one on a ticket in any other state (`customer_message`, no move).
 */
const CUSTOMER_MESSAGES = new Set(['customer_replied', 'customer_reopen', 'customer_message']);

/** Changes that can touch an SLA; anything else (an assignment, a note, a system escalation) is skipped without a query. */
function concernsSla(change: TicketChange): boolean {
  if (change.action === 'created' || change.action === 'replied') return true;
  if (CUSTOMER_MESSAGES.has(change.action)) return true;
  if (change.action === 'updated')
    return Array.isArray(change.data.fields) && change.data.fields.includes('priority');
  return change.from !== change.to && (isStop(change.from) || isStop(change.to));
}

/** States in which the clock stands still. */
const isStop = (state: string | null) =>
  state === 'pending_customer' || state === 'resolved' || state === 'closed';

const iso = (d: number) => new Date(d).toISOString();

/**
 * Keeps each ticket's SLA beside the ticket: it listens to every ticket change, inside the change's
 * transaction, so the SLA can never disagree with the ticket. Created → the first matching policy is
 * applied; waiting on the customer pauses the clock and leaving that state resumes it; the first public
 * reply fulfils the first response; a customer message starts a next response (when the policy has one);
 * resolving fulfils the resolution and a reopen lets it run again; a priority change re-resolves the
 * policy and recomputes every due time from the original start.
 */
@Injectable()
export class TicketSlaTracker implements TicketChangeListener, OnModuleInit {
  private readonly logger = new Logger('TicketSlas');

  constructor(
    private readonly events: TicketEvents,
    private readonly resolver: SlaPolicyResolver,
    private readonly customers: CustomerDirectory,
  ) {}

  onModuleInit(): void {
    this.events.addListener(this);
  }

  async onTicketChange(manager: EntityManager, change: TicketChange): Promise<void> {
    if (!concernsSla(change)) return;
    const { ticket } = change;
    if (change.action === 'created') return this.apply(manager, ticket, change.at);
    const rows: TicketSlaRow[] = await manager.query(
      `SELECT * FROM ticket_slas WHERE org_id = $1 AND ticket_id = $2 FOR UPDATE`,
      [ticket.org_id, ticket.id],
    );
    const row = rows[0];
    if (!row) return;
    const at = change.at.getTime();
    const pending: PendingEvent[] = [];
    const next: TicketSlaRow = { ...row, pauses: row.pauses.map((p) => ({ ...p })) };
    let calendar: CompiledCalendar | null = null;

    // The clock: a stretch of waiting on the customer or of being resolved is a pause.
    if (isStop(change.to) && !isStop(change.from)) {
      const reason = change.to === 'pending_customer' ? 'pending_customer' : 'resolved';
      next.pauses.push({ pausedAt: iso(at), resumedAt: null, reason });
      if (reason === 'pending_customer') pending.push({ kind: 'paused', target: null });
    } else if (!isStop(change.to) && isStop(change.from)) {
      const open = next.pauses.find((p) => p.resumedAt === null);
      if (open) {
        open.resumedAt = iso(at);
        pending.push({
          kind: 'resumed',
          target: null,
          data: { pausedMinutes: Math.round((at - Date.parse(open.pausedAt)) / 60_000) },
        });
      }
    }

    if (change.action === 'replied') {
      if (next.targets.firstResponse && !next.first_response_at) {
        next.first_response_at = change.at;
        pending.push({
          kind: 'fulfilled',
          target: 'first_response',
          data: late(row.first_response_due_at, at),
        });
      }
      if (next.awaiting_reply_since) {
        next.next_response_at = change.at;
        next.awaiting_reply_since = null;
        pending.push({
          kind: 'fulfilled',
          target: 'next_response',
          data: late(row.next_response_due_at, at),
        });
      }
    }
    if (
      CUSTOMER_MESSAGES.has(change.action) &&
      next.targets.nextResponse &&
      next.first_response_at &&
      !next.awaiting_reply_since
    ) {
      // A new round: the next response runs from this customer message, with its own warning and breach.
      next.awaiting_reply_since = change.at;
      next.next_response_at = null;
      next.next_response_warned_at = null;
      next.next_response_breached_at = null;
    }
    if (change.to === 'resolved' && change.from !== 'resolved') {
      next.running = false;
      if (next.targets.resolution && !next.resolution_at) {
        next.resolution_at = change.at;
        pending.push({ kind: 'fulfilled', target: 'resolution', data: late(row.resolution_due_at, at) });
      }
    }
    if (change.to === 'closed') next.running = false;
    if (change.from === 'resolved' && change.to !== 'closed') {
      next.running = true;
      next.resolution_at = null;
    }

    if (change.action === 'updated') {
      const resolved = await this.resolver.resolve(
        ticket.org_id,
        await this.factsOf(manager, ticket),
        manager,
      );
      const targets = resolved?.targets ?? { firstResponse: null, nextResponse: null, resolution: null };
      calendar = resolved?.calendar ?? null;
      pending.push({
        kind: 'recomputed',
        target: null,
        data: {
          priority: ticket.priority,
          fromPolicyId: row.policy_id,
          policyId: resolved?.policy.id ?? null,
          policyName: resolved?.policy.name ?? null,
        },
      });
      next.policy_id = resolved?.policy.id ?? null;
      next.policy_name = resolved?.policy.name ?? null;
      next.calendar_id = calendar?.id ?? null;
      next.targets = usableTargets(targets, calendar);
      next.warn_before_minutes = resolved?.policy.warnBeforeMinutes ?? null;
      next.reassign_on_breach = resolved?.policy.reassignOnBreach ?? false;
    } else if (next.calendar_id) {
      calendar = await this.resolver.calendar(ticket.org_id, next.calendar_id, manager);
    }

    this.computeDues(next, calendar, row, pending);
    await this.save(manager, next);
    await this.record(manager, next, change.at, pending);
  }

  private async apply(manager: EntityManager, ticket: TicketRow, at: Date): Promise<void> {
    const resolved = await this.resolver.resolve(ticket.org_id, await this.factsOf(manager, ticket), manager);
    const calendar = resolved?.calendar ?? null;
    const targets = usableTargets(
      resolved?.targets ?? { firstResponse: null, nextResponse: null, resolution: null },
      calendar,
    );
    if (resolved && targets !== resolved.targets) {
      this.logger.warn(
        { orgId: ticket.org_id, ticketId: ticket.id },
        'Working-time targets skipped: no calendar',
      );
    }
    const row = {
      org_id: ticket.org_id,
      ticket_id: ticket.id,
      policy_id: resolved?.policy.id ?? null,
      policy_name: resolved?.policy.name ?? null,
      calendar_id: calendar?.id ?? null,
      started_at: at,
      targets,
      warn_before_minutes: resolved?.policy.warnBeforeMinutes ?? null,
      reassign_on_breach: resolved?.policy.reassignOnBreach ?? false,
      pauses: [] as StoredPause[],
      awaiting_reply_since: null,
      running: true,
    } as TicketSlaRow;
    for (const kind of SLA_TARGET_KINDS) {
      row[`${kind}_at`] = null;
      row[`${kind}_due_at`] = null;
      row[`${kind}_warned_at`] = null;
      row[`${kind}_breached_at`] = null;
    }
    const pending: PendingEvent[] = [
      {
        kind: 'applied',
        target: null,
        data: { policyId: row.policy_id, policyName: row.policy_name, targets },
      },
    ];
    this.computeDues(row, calendar, null, []);
    await manager.query(
      `INSERT INTO ticket_slas (org_id, ticket_id, started_at, targets, updated_at) VALUES ($1, $2, $3, $4::jsonb, $3)`,
      [row.org_id, row.ticket_id, at, JSON.stringify(targets)],
    );
    await this.save(manager, row);
    await this.record(manager, row, at, pending);
  }

  /**
   * Due times from the original start and the pauses. A fulfilled target keeps the due time it had; a
   * due time that moved away from a warning already sent clears it, so the new one is warned again.
   */
  private computeDues(
    row: TicketSlaRow,
    calendar: CompiledCalendar | null,
    before: TicketSlaRow | null,
    pending: PendingEvent[],
  ): void {
    const times = computeSla(row.targets, calendar, {
      startedAt: row.started_at.getTime(),
      pauses: toClockPauses(row.pauses),
      awaitingReplySince: row.awaiting_reply_since?.getTime() ?? null,
      at: row.started_at.getTime(),
    });
    const computed: Record<SlaTargetKind, number | null> = {
      first_response: times.firstResponseDueAt,
      next_response: times.nextResponseDueAt,
      resolution: times.resolutionDueAt,
    };
    const changed: Record<string, string | null> = {};
    for (const kind of SLA_TARGET_KINDS) {
      if (row[`${kind}_at`]) continue;
      const due = computed[kind] === null ? null : new Date(computed[kind]);
      const old = before?.[`${kind}_due_at`] ?? null;
      if (due?.getTime() !== old?.getTime()) {
        changed[kind] = due?.toISOString() ?? null;
        if (due && !row[`${kind}_breached_at`]) row[`${kind}_warned_at`] = null;
      }
      row[`${kind}_due_at`] = due;
    }
    const recomputed = pending.find((e) => e.kind === 'recomputed');
    if (recomputed) recomputed.data = { ...recomputed.data, dueAt: changed };
    const resumed = pending.find((e) => e.kind === 'resumed');
    if (resumed) resumed.data = { ...resumed.data, dueAt: changed };
  }

  private async factsOf(manager: EntityManager, ticket: TicketRow) {
    const customer = ticket.customer_id
      ? await this.customers.find(manager, ticket.org_id, ticket.customer_id)
      : null;
    return {
      type: ticket.type,
      priority: ticket.priority,
      tier: customer?.tier ?? null,
      channel: ticket.channel,
    };
  }

  private async save(manager: EntityManager, r: TicketSlaRow): Promise<void> {
    await manager.query(
      `UPDATE ticket_slas SET policy_id = $3, policy_name = $4, calendar_id = $5, targets = $6::jsonb,
         warn_before_minutes = $7, pauses = $8::jsonb, awaiting_reply_since = $9, running = $10,
         first_response_at = $11, next_response_at = $12, resolution_at = $13,
         first_response_due_at = $14, next_response_due_at = $15, resolution_due_at = $16,
         first_response_warned_at = $17, next_response_warned_at = $18, resolution_warned_at = $19,
         first_response_breached_at = $20, next_response_breached_at = $21, resolution_breached_at = $22,
         reassign_on_breach = $23, updated_at = now()
       WHERE org_id = $1 AND ticket_id = $2`,
      [
        r.org_id,
        r.ticket_id,
        r.policy_id,
        r.policy_name,
        r.calendar_id,
        JSON.stringify(r.targets),
        r.warn_before_minutes,
        JSON.stringify(r.pauses),
        r.awaiting_reply_since,
        r.running,
        r.first_response_at,
        r.next_response_at,
        r.resolution_at,
        r.first_response_due_at,
        r.next_response_due_at,
        r.resolution_due_at,
        r.first_response_warned_at,
        r.next_response_warned_at,
        r.resolution_warned_at,
        r.first_response_breached_at,
        r.next_response_breached_at,
        r.resolution_breached_at,
        r.reassign_on_breach,
      ],
    );
  }

  private async record(manager: EntityManager, r: TicketSlaRow, at: Date, events: PendingEvent[]) {
    if (events.length === 0) return;
    await manager.query(
      `INSERT INTO ticket_sla_events (org_id, ticket_id, kind, target, at, data)
       SELECT $1, $2, e.kind, e.target, $3, e.data
         FROM jsonb_to_recordset($4::jsonb) AS e(kind text, target text, data jsonb)`,
      [r.org_id, r.ticket_id, at, JSON.stringify(events.map((e) => ({ ...e, data: e.data ?? {} })))],
    );
  }
}

/** Whether a fulfilment came after its due time. */
function late(due: Date | null, at: number): Record<string, unknown> {
  return { dueAt: due?.toISOString() ?? null, late: due !== null && at > due.getTime() };
}

/** Working-time targets need a calendar; an organization without any keeps only its wall-clock ones. */
function usableTargets(targets: SlaTargets, calendar: CompiledCalendar | null): SlaTargets {
  if (calendar) return targets;
  const keep = (t: SlaTargets[keyof SlaTargets]) => (t && t.mode === 'working' ? null : t);
  const result = {
    firstResponse: keep(targets.firstResponse),
    nextResponse: keep(targets.nextResponse),
    resolution: keep(targets.resolution),
  };
  return result.firstResponse === targets.firstResponse &&
    result.nextResponse === targets.nextResponse &&
    result.resolution === targets.resolution
    ? targets
    : result;
}
