import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../access/actor';
import { TicketEventDto } from './ticket.dto';
import { TicketRow } from './ticket-row';
import { TicketState } from './ticket-state';

/** Who moved a ticket: a member or API key, the customer (public side) or the system (a job). */
export type TicketActor = { kind: 'member'; actor: Actor } | { kind: 'customer' } | { kind: 'system' };

/**
 * One change of a ticket, as listeners receive it. `action` is a transition (`open`, `resolve`,
 * `customer_reopen`…) or one of `created`, `assigned`, `updated`, `identity_checked`, `replied`.
 */
export interface TicketChange {
  action: string;
  from: TicketState | null;
  to: TicketState;
  /** The ticket as it is after the change, read in the same transaction. */
  ticket: TicketRow;
  by: TicketActor;
  reason: string | null;
  data: Record<string, unknown>;
  at: Date;
  /** `ticket_events.seq` of the recorded change. */
  seq: string;
}

/**
 * A hook into every ticket change, for modules built on tickets (SLA timers, surveys, reports). It runs
 * inside the change's transaction, after the change and its event row are written: a listener that
 * throws rolls the change back, so what it records can never disagree with the ticket.
 */
export interface TicketChangeListener {
  onTicketChange(manager: EntityManager, change: TicketChange): Promise<void>;
}

/**
 * Records ticket changes (the `ticket_events` history: who, when, from, to, why) and hands each one to
 * the registered listeners. Exported by TicketsModule; a module registers in its onModuleInit.
 */
@Injectable()
export class TicketEvents {
  private readonly listeners: TicketChangeListener[] = [];

  addListener(listener: TicketChangeListener): void {
    this.listeners.push(listener);
  }

  async record(
    manager: EntityManager,
    change: Omit<TicketChange, 'seq' | 'reason' | 'data'> & {
      reason?: string | null;
      data?: Record<string, unknown>;
    },
  ): Promise<TicketChange> {
    const by = change.by;
    const [{ seq }]: { seq: string }[] = await manager.query(
      `INSERT INTO ticket_events
         (org_id, ticket_id, action, from_state, to_state, actor_kind, actor_user_id, actor_api_key_id, reason,
          data, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq`,
      [
        change.ticket.org_id,
        change.ticket.id,
        change.action,
        change.from,
        change.to,
        by.kind === 'member' ? (by.actor.userId ? 'user' : 'api_key') : by.kind,
        by.kind === 'member' ? by.actor.userId : null,
        by.kind === 'member' ? by.actor.apiKeyId : null,
        change.reason ?? null,
        JSON.stringify(change.data ?? {}),
        change.at,
      ],
    );
    const full: TicketChange = { ...change, reason: change.reason ?? null, data: change.data ?? {}, seq };
    for (const listener of this.listeners) await listener.onTicketChange(manager, full);
    return full;
  }

  /**
   * Records many changes made by the system at once (the SLA breach sweep), in one statement, and hands
   * each to the listeners. Listeners skip what does not concern them without a query of their own.
   */
  async recordSystemChanges(
    manager: EntityManager,
    changes: Omit<TicketChange, 'seq' | 'by'>[],
  ): Promise<TicketChange[]> {
    if (changes.length === 0) return [];
    const rows: { seq: string; ord: string }[] = await manager.query(
      `INSERT INTO ticket_events (org_id, ticket_id, action, from_state, to_state, actor_kind, reason, data, created_at)
       SELECT e.org_id, e.ticket_id, e.action, e.from_state, e.to_state, 'system', e.reason, e.data, e.at
         FROM jsonb_to_recordset($1::jsonb)
           AS e(org_id uuid, ticket_id uuid, action text, from_state text, to_state text, reason text, data jsonb,
                at timestamptz, ord int)
        ORDER BY e.ord
       RETURNING seq`,
      [
        JSON.stringify(
          changes.map((c, ord) => ({
            org_id: c.ticket.org_id,
            ticket_id: c.ticket.id,
            action: c.action,
            from_state: c.from,
            to_state: c.to,
            reason: c.reason,
            data: c.data,
            at: c.at.toISOString(),
            ord,
          })),
        ),
      ],
    );
    // Sequence values are handed out in the SELECT's order, so sorting them restores the input order.
    const seqs = rows.map((r) => BigInt(r.seq)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const full = changes.map((c, i): TicketChange => ({
      ...c,
      by: { kind: 'system' },
      seq: String(seqs[i]),
    }));
    for (const change of full)
      for (const listener of this.listeners) await listener.onTicketChange(manager, change);
    return full;
  }
}

interface EventRow {
  action: string;
  from_state: TicketState | null;
  to_state: TicketState;
  actor_kind: TicketEventDto['actorKind'];
  actor_user_id: string | null;
  reason: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

/** A ticket's history, oldest first. */
export async function ticketHistory(manager: EntityManager, ticketId: string): Promise<TicketEventDto[]> {
  const rows: EventRow[] = await manager.query(
    `SELECT action, from_state, to_state, actor_kind, actor_user_id, reason, data, created_at
       FROM ticket_events WHERE ticket_id = $1 ORDER BY seq`,
    [ticketId],
  );
  return rows.map((e) => ({
    action: e.action,
    fromState: e.from_state,
    toState: e.to_state,
    actorKind: e.actor_kind,
    actorUserId: e.actor_user_id,
    reason: e.reason,
    data: e.data,
    at: e.created_at.toISOString(),
  }));
}
