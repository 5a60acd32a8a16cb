import { DomainError, ErrorCode } from '../../platform/errors';

export const TICKET_STATES = [
  'new',
  'open',
  'pending_customer',
  'escalated',
  'reopened',
  'resolved',
  'closed',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** The moves a member asks for by `POST …/tickets/{ticketId}/{action}`. */
export const TICKET_ACTIONS = [
  'open',
  'wait-for-customer',
  'escalate',
  'resolve',
  'close',
  'reopen',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** States in which a ticket still needs work (and counts towards an agent's load). */
export const ACTIVE_STATES: readonly TicketState[] = [
  'new',
  'open',
  'pending_customer',
  'escalated',
  'reopened',
];

/**
 * The state table: for each action, the states it may start from and the state it leads to. `closed`
 * is final (a later customer message opens a new ticket linked to it); `reopen` undoes a resolution.
 */
export const TRANSITIONS: Record<TicketAction, { from: readonly TicketState[]; to: TicketState }> = {
  open: { from: ['new', 'pending_customer', 'escalated', 'reopened'], to: 'open' },
  'wait-for-customer': { from: ['new', 'open', 'escalated', 'reopened'], to: 'pending_customer' },
  escalate: { from: ['new', 'open', 'pending_customer', 'reopened'], to: 'escalated' },
  resolve: { from: ['new', 'open', 'pending_customer', 'escalated', 'reopened'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved'], to: 'reopened' },
};

/** Where `action` leads from `from`, or 409 `invalid_state` naming the current state (and what it allows). */
export function nextState(from: TicketState, action: TicketAction): TicketState {
  const move = TRANSITIONS[action];
  if (!move.from.includes(from)) {
    throw new DomainError(ErrorCode.InvalidState, `A ticket in state "${from}" cannot ${action}`, {
      extensions: { currentState: from, allowedActions: allowedActions(from) },
    });
  }
  return move.to;
}

export const allowedActions = (from: TicketState): TicketAction[] =>
  TICKET_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(from));

/** A customer's reply reopens a resolved ticket for this long after its resolution. */
export const REOPEN_WINDOW_MS = 7 * 86_400_000;
