import { DomainError } from '../../platform/errors';
import {
  allowedActions,
  nextState,
  TICKET_ACTIONS,
  TICKET_STATES,
  TicketAction,
  TicketState,
} from './ticket-state';

/** The table written out by hand: each state with the moves it allows and where they lead. */
const EXPECTED: Record<TicketState, Partial<Record<TicketAction, TicketState>>> = {
  new: { open: 'open', 'wait-for-customer': 'pending_customer', escalate: 'escalated', resolve: 'resolved' },
  open: { 'wait-for-customer': 'pending_customer', escalate: 'escalated', resolve: 'resolved' },
  pending_customer: { open: 'open', escalate: 'escalated', resolve: 'resolved' },
  escalated: { open: 'open', 'wait-for-customer': 'pending_customer', resolve: 'resolved' },
  reopened: {
    open: 'open',
    'wait-for-customer': 'pending_customer',
    escalate: 'escalated',
    resolve: 'resolved',
  },
  resolved: { close: 'closed', reopen: 'reopened' },
  closed: {},
};

describe('ticket state table', () => {
  for (const from of TICKET_STATES) {
    for (const action of TICKET_ACTIONS) {
      const to = EXPECTED[from][action];
      it(`${from} --${action}--> ${to ?? 'refused'}`, () => {
        if (to) {
          expect(nextState(from, action)).toBe(to);
        } else {
          let error: unknown;
          try {
            nextState(from, action);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).status).toBe(409);
          expect((error as DomainError).options.extensions).toMatchObject({ currentState: from });
        }
      });
    }
    it(`lists the allowed actions of ${from}`, () => {
      expect(allowedActions(from).sort()).toEqual(Object.keys(EXPECTED[from]).sort());
    });
  }
});
