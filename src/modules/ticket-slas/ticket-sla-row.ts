import { SlaPause, SlaTargets } from '../service-levels';

/** The three targets a policy may set, as columns and event targets name them. */
export const SLA_TARGET_KINDS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaTargetKind = (typeof SLA_TARGET_KINDS)[number];

export const SLA_EVENT_KINDS = [
  'applied',
  'paused',
  'resumed',
  'fulfilled',
  'breached',
  'warned',
  'escalated',
  'recomputed',
] as const;
export type SlaEventKind = (typeof SLA_EVENT_KINDS)[number];

/** Why the clock stopped: the ticket waited on the customer, or it was resolved (until a reopen). */
export interface StoredPause {
  pausedAt: string;
  resumedAt: string | null;
  reason: 'pending_customer' | 'resolved';
}

/** A `ticket_slas` row as SQL returns it; this module owns the table. */
export interface TicketSlaRow {
  org_id: string;
  ticket_id: string;
  policy_id: string | null;
  policy_name: string | null;
  calendar_id: string | null;
  started_at: Date;
  targets: SlaTargets;
  warn_before_minutes: number | null;
  reassign_on_breach: boolean;
  pauses: StoredPause[];
  awaiting_reply_since: Date | null;
  running: boolean;
  first_response_at: Date | null;
  next_response_at: Date | null;
  resolution_at: Date | null;
  first_response_due_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
  first_response_warned_at: Date | null;
  next_response_warned_at: Date | null;
  resolution_warned_at: Date | null;
  first_response_breached_at: Date | null;
  next_response_breached_at: Date | null;
  resolution_breached_at: Date | null;
}

export const TARGET_KEY: Record<SlaTargetKind, keyof SlaTargets> = {
  first_response: 'firstResponse',
  next_response: 'nextResponse',
  resolution: 'resolution',
};

export const toClockPauses = (pauses: readonly StoredPause[]): SlaPause[] =>
  pauses.map((p) => ({
    pausedAt: Date.parse(p.pausedAt),
    resumedAt: p.resumedAt === null ? null : Date.parse(p.resumedAt),
  }));

export const isPaused = (row: Pick<TicketSlaRow, 'pauses'>): boolean =>
  row.pauses.some((p) => p.resumedAt === null);
