import { randomUUID } from 'node:crypto';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { TicketSlaReader } from '../src/modules/ticket-slas/ticket-sla-reader';
import { TicketSecrets } from '../src/modules/tickets/ticket-secrets';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const at = (local: string) => new Date(`${local}+08:00`);

/**
 * The customer-service pieces that join modules: the SLA on every ticket DTO (list and detail), a
 * customer's message on a ticket not waiting on them starting a next response, and tickets in the
 * customer's history. The organization uses the mainland calendar it copies (Mon–Fri 09:00–12:00 and
 * 13:30–18:00 Asia/Shanghai, 450 working minutes a day) and the guide's policies, plus an after-sales
 * policy with a next-response target; due times are worked out by hand in the comments.
 */
describe('customer service across modules', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let a1: TestUser;
  let agentB: TestUser;
  let supervisor: TestUser;
  let manager: TestUser;
  let otherOwner: TestUser;
  let owner: TestUser;

  const api = (path: string, o: FixtureOrg = org) => `/api/v1/orgs/${o.id}${path}`;
  const problem = (res: { status: number; headers: Record<string, string> }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const open = async (user: TestUser, when: Date, body: Record<string, unknown>) => {
    t.clock.set(when);
    const res = await t
      .http()
      .post(api('/tickets'))
      .set(user.auth)
      .send({ channel: 'phone', subject: 'Help', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; customerId: string | null; sla: Record<string, unknown> | null };
  };
  const act = async (user: TestUser, id: string, action: string, when: Date, body: object = {}) => {
    t.clock.set(when);
    const res = await t
      .http()
      .post(api(`/tickets/${id}/${action}`))
      .set(user.auth)
      .send(body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const reply = async (user: TestUser, id: string, when: Date, body = 'On it') => {
    t.clock.set(when);
    await t
      .http()
      .post(api(`/tickets/${id}/messages`))
      .set(user.auth)
      .send({ kind: 'public_reply', body })
      .expect(201);
  };
  const customerWrites = async (id: string, when: Date, body: string) => {
    t.clock.set(when);
    const link = t.get(TicketSecrets).linkFor(id);
    const res = await t.http().post(`/api/v1/public/tickets/${link}/messages`).send({ body }).expect(201);
    return res.body as { state: string; outcome: string };
  };
  const detail = async (user: TestUser, id: string) => {
    const res = await t
      .http()
      .get(api(`/tickets/${id}`))
      .set(user.auth);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Co' });
    await provisionServiceLevels(t.db, org.id);
    await provisionServiceLevels(t.db, other.id);
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [a1, agentB, supervisor, manager, otherOwner, owner] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, org, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, org, a1.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
    });
    await insertMember(t, org, agentB.id, {
      unitId: teamB,
      grants: [{ role: 'service_agent', unitId: teamB, scope: 'unit' }],
    });
    await insertMember(t, org, supervisor.id, { grants: [{ role: 'service_supervisor' }] });
    await insertMember(t, org, manager.id, { grants: [{ permission: 'service:manage', scope: 'org' }] });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
    await t
      .http()
      .post(api('/sla-policies'))
      .set(manager.auth)
      .send({
        name: 'After-sales',
        conditions: { ticketTypes: ['after_sales'] },
        firstResponse: { minutes: 120, mode: 'working' },
        nextResponse: { minutes: 60, mode: 'working' },
        resolution: { minutes: 480, mode: 'working' },
        warnBeforeMinutes: 30,
      })
      .expect(201);
  });
  afterAll(() => t.close());

  describe('the SLA on the ticket', () => {
    it('detail and list show due times, remaining working minutes and the pause, read once per page', async () => {
      // A complaint of Fri 03-13 16:00: 900 working minutes = 120 on Friday, 450 on Monday 03-16,
      // 180 + 150 on Tuesday 03-17, so due Tue 16:00 (08:00Z).
      const created = await open(a1, at('2026-03-13T16:00:00'), { type: 'complaint', subject: 'Broken' });
      expect(created.sla).toMatchObject({
        policyName: 'Complaints: reply with the result within 2 working days',
        paused: false,
        resolutionDueAt: '2026-03-17T08:00:00.000Z',
        remainingMinutes: { firstResponse: null, nextResponse: null, resolution: 900 },
      });
      // A consultation of Fri 03-13 17:00: 24 wall-clock hours to a first response, Sat 17:00 (09:00Z).
      const consultation = await open(a1, at('2026-03-13T17:00:00'), { type: 'consultation' });

      // Mon 03-16 10:00: the complaint used 120 + 60 → 720 left; the consultation is 41 hours past due (Sat 17:00 → Mon 10:00).
      t.clock.set(at('2026-03-16T10:00:00'));
      const one = await detail(a1, created.id);
      expect(one.sla).toEqual({
        policyId: expect.any(String),
        policyName: 'Complaints: reply with the result within 2 working days',
        paused: false,
        firstResponseDueAt: null,
        nextResponseDueAt: null,
        resolutionDueAt: '2026-03-17T08:00:00.000Z',
        remainingMinutes: { firstResponse: null, nextResponse: null, resolution: 720 },
      });

      const reader = t.get(TicketSlaReader);
      const spy = jest.spyOn(reader, 'forTickets');
      try {
        const list = await t
          .http()
          .get(api('/tickets'))
          .query({ createdFrom: '2026-03-13T00:00:00Z', createdTo: '2026-03-14T00:00:00Z' })
          .set(a1.auth)
          .expect(200);
        const byId = new Map(list.body.items.map((i: { id: string }) => [i.id, i]));
        expect((byId.get(created.id) as { sla: unknown }).sla).toEqual(one.sla);
        expect((byId.get(consultation.id) as { sla: unknown }).sla).toMatchObject({
          firstResponseDueAt: '2026-03-14T09:00:00.000Z',
          remainingMinutes: { firstResponse: -41 * 60, nextResponse: null, resolution: null },
        });
        // One read for the whole page, with every ticket of it.
        expect(spy).toHaveBeenCalledTimes(1);
        expect([...spy.mock.calls[0][1]].sort()).toEqual([...byId.keys()].sort());
      } finally {
        spy.mockRestore();
      }

      // Waiting on the customer from Mon 10:00: the move's own answer shows the clock paused.
      const waiting = await act(a1, created.id, 'wait-for-customer', at('2026-03-16T10:00:00'));
      expect(waiting.sla).toMatchObject({
        paused: true,
        resolutionDueAt: null,
        remainingMinutes: { resolution: 720 },
      });
      // Resumed Mon 11:00 after 60 paused working minutes: due an hour later, Tue 17:00 (09:00Z).
      const resumed = await act(a1, created.id, 'open', at('2026-03-16T11:00:00'));
      expect(resumed.sla).toMatchObject({
        paused: false,
        resolutionDueAt: '2026-03-17T09:00:00.000Z',
        remainingMinutes: { resolution: 720 },
      });
    });

    it('a priority change shows the recomputed SLA on the edited ticket', async () => {
      // Tue 03-10 09:00 after-sales: first response 120 → 11:00 (03:00Z), resolution 480 → 09:00 + 180 +
      // 270 (13:30–18:00) = 450 on Tuesday, Wed 09:30 (01:30Z).
      const ticket = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'repair',
      });
      expect(ticket.sla).toMatchObject({
        policyName: 'After-sales',
        firstResponseDueAt: '2026-03-10T03:00:00.000Z',
        resolutionDueAt: '2026-03-11T01:30:00.000Z',
      });
      t.clock.set(at('2026-03-10T09:30:00'));
      const res = await t
        .http()
        .patch(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .send({ priority: 'urgent' })
        .expect(200);
      // Still the after-sales policy (it matches every priority): same due times, 30 minutes used.
      expect(res.body.sla).toMatchObject({
        policyName: 'After-sales',
        firstResponseDueAt: '2026-03-10T03:00:00.000Z',
        remainingMinutes: { firstResponse: 90, nextResponse: null, resolution: 450 },
      });
    });

    it('another unit’s agent and another tenant get 404, a member without tickets:read 403, a bad id 400', async () => {
      const ticket = await open(a1, at('2026-03-10T09:00:00'), { type: 'complaint' });
      problem(
        await t
          .http()
          .get(api(`/tickets/${ticket.id}`))
          .set(agentB.auth),
        404,
      );
      problem(
        await t
          .http()
          .get(api(`/tickets/${ticket.id}`, other))
          .set(otherOwner.auth),
        404,
      );
      const list = await t.http().get(api('/tickets')).set(agentB.auth).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(ticket.id);
      problem(
        await t
          .http()
          .get(api(`/tickets/${ticket.id}`))
          .set(manager.auth),
        403,
      );
      const bad = await t.http().get(api('/tickets/not-a-uuid')).set(a1.auth);
      problem(bad, 400);
      expect(bad.body.errors[0].field).toBe('ticketId');
      const badQuery = await t.http().get(api('/tickets')).query({ state: 'sleeping' }).set(a1.auth);
      problem(badQuery, 400);
      expect(badQuery.body.errors[0].field).toBe('state');
    });
  });

  describe('a customer message on a ticket not waiting on the customer', () => {
    it('starts the next response on an open ticket; a second message does not move it; the reply fulfils it', async () => {
      const ticket = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'replace',
      });
      await act(a1, ticket.id, 'identity-check', at('2026-03-10T09:05:00'), { method: 'order_number' });
      await reply(a1, ticket.id, at('2026-03-10T09:10:00'), 'Please send a photo');
      await act(a1, ticket.id, 'open', at('2026-03-10T09:12:00'));

      // The customer writes at 11:30 while the ticket is open: next response 60 working minutes,
      // 30 before lunch and 30 after 13:30 → due 14:00 (06:00Z).
      const written = await customerWrites(ticket.id, at('2026-03-10T11:30:00'), 'Here is the photo');
      expect(written).toMatchObject({ state: 'open', outcome: 'added' });
      const running = await detail(a1, ticket.id);
      expect(running.state).toBe('open');
      expect(running.sla).toMatchObject({
        nextResponseDueAt: '2026-03-10T06:00:00.000Z',
        remainingMinutes: { nextResponse: 60 },
      });
      // Another message at 11:45 waits on the same answer: the due time stays.
      await customerWrites(ticket.id, at('2026-03-10T11:45:00'), 'And another one');
      expect((await detail(a1, ticket.id)).sla.nextResponseDueAt).toBe('2026-03-10T06:00:00.000Z');

      const history = await t
        .http()
        .get(api(`/tickets/${ticket.id}/history`))
        .set(a1.auth)
        .expect(200);
      const messages = history.body.filter((e: { action: string }) => e.action === 'customer_message');
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatchObject({ fromState: 'open', toState: 'open', actorKind: 'customer' });

      await reply(a1, ticket.id, at('2026-03-10T13:40:00'), 'A replacement is on its way');
      const answered = await t
        .http()
        .get(api(`/tickets/${ticket.id}/sla`))
        .set(a1.auth)
        .expect(200);
      expect(answered.body.nextResponseDueAt).toBeNull();
      expect(
        answered.body.targets.find((x: { target: string }) => x.target === 'next_response'),
      ).toMatchObject({
        state: 'fulfilled',
        fulfilledAt: '2026-03-10T05:40:00.000Z',
        dueAt: '2026-03-10T06:00:00.000Z',
      });
    });

    it('before the first response, a customer message starts nothing (the first response still runs)', async () => {
      const ticket = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'repair',
      });
      await customerWrites(ticket.id, at('2026-03-10T09:20:00'), 'Any news?');
      const body = await detail(a1, ticket.id);
      expect(body.state).toBe('new');
      expect(body.sla).toMatchObject({
        nextResponseDueAt: null,
        firstResponseDueAt: '2026-03-10T03:00:00.000Z',
        remainingMinutes: { firstResponse: 100, nextResponse: null },
      });
    });
  });

  describe("tickets in the customer's history", () => {
    it('shows each ticket opened, escalated, resolved and closed, also those of a profile merged in', async () => {
      const first = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'consultation',
        subject: 'Which size?',
        contact: { name: 'Lin', phone: '13800001111' },
      });
      const customerId = first.customerId!;
      expect(customerId).toEqual(expect.any(String));
      await act(a1, first.id, 'escalate', at('2026-03-10T09:30:00'), { reason: 'Needs the buyer' });
      await act(a1, first.id, 'resolve', at('2026-03-10T10:00:00'));
      await act(a1, first.id, 'close', at('2026-03-10T10:05:00'));
      // A second profile with its own ticket, merged into the first afterwards.
      const second = await open(a1, at('2026-03-10T11:00:00'), {
        type: 'complaint',
        subject: 'Late delivery',
        contact: { name: 'Lin (work)', email: 'lin@example.com' },
      });
      expect(second.customerId).not.toBe(customerId);
      t.clock.set(at('2026-03-10T12:00:00'));
      await t
        .http()
        .post(api(`/customers/${customerId}/merge`))
        .set(a1.auth)
        .send({ sourceId: second.customerId })
        .expect(200);

      const res = await t
        .http()
        .get(api(`/customers/${customerId}/history`))
        .set(a1.auth)
        .expect(200);
      const tickets = res.body.items.filter((e: { source: string }) => e.source === 'tickets');
      expect(
        tickets.map((e: { kind: string; details: { ticketId: string } }) => [e.kind, e.details.ticketId]),
      ).toEqual([
        ['ticket.opened', second.id],
        ['ticket.closed', first.id],
        ['ticket.resolved', first.id],
        ['ticket.escalated', first.id],
        ['ticket.opened', first.id],
      ]);
      expect(tickets[0]).toMatchObject({
        customerId: second.customerId,
        occurredAt: '2026-03-10T03:00:00.000Z',
        details: { subject: 'Late delivery', type: 'complaint', channel: 'phone', state: 'new' },
      });
      expect(tickets[3]).toMatchObject({
        customerId,
        actorUserId: a1.id,
        details: { state: 'escalated', reason: 'Needs the buyer' },
      });

      // Paged two at a time, the same entries in the same order, none twice.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await t
          .http()
          .get(api(`/customers/${customerId}/history`))
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(a1.auth)
          .expect(200);
        seen.push(...page.body.items.map((e: { source: string; id: string }) => `${e.source}:${e.id}`));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(res.body.items.map((e: { source: string; id: string }) => `${e.source}:${e.id}`));
    });

    it('another unit, another tenant: 404; a bad cursor: 400 with the field', async () => {
      const ticket = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'consultation',
        contact: { name: 'Wu', phone: '13800002222' },
      });
      const url = `/customers/${ticket.customerId}/history`;
      problem(await t.http().get(api(url)).set(agentB.auth), 404);
      problem(await t.http().get(api(url, other)).set(otherOwner.auth), 404);
      problem(await t.http().get(api(url)).set(manager.auth), 403);
      const bad = await t.http().get(api(url)).query({ cursor: 'nope' }).set(a1.auth);
      problem(bad, 400);
      expect(bad.body.errors[0].field).toBe('cursor');
    });
  });

  describe('lifetime value from analytics purchases', () => {
    type Tracked = { type: string; userId: string; amount?: number };
    const ingest = async (o: FixtureOrg, user: TestUser, events: Tracked[]) => {
      const now = t.clock.now().getTime();
      const res = await t
        .http()
        .post(`/api/v1/orgs/${o.id}/events/batch`)
        .set(user.auth)
        .send({
          events: events.map((e, i) => ({
            eventId: randomUUID(),
            occurredAt: new Date(now - (i + 1) * 60_000).toISOString(),
            ...e,
          })),
        });
      expect(res.status).toBe(200);
      expect(res.body.refusals ?? []).toEqual([]);
    };
    /** What the test expects: the purchases of these user ids among what it sent, summed here. */
    const expected = (events: Tracked[], userIds: string[]) => {
      const bought = events.filter((e) => e.type === 'purchase' && userIds.includes(e.userId));
      return { fen: bought.reduce((sum, e) => sum + e.amount!, 0), count: bought.length };
    };
    const createCustomer = async (body: Record<string, unknown>) => {
      const res = await t
        .http()
        .post(api('/customers'))
        .set(a1.auth)
        .send({ kind: 'person', ...body });
      expect(res.status).toBe(201);
      return res.body as { id: string; lifetimeValueFen: number; lifetimeValueSource: string };
    };
    const getCustomer = async (id: string) =>
      (
        await t
          .http()
          .get(api(`/customers/${id}`))
          .set(a1.auth)
          .expect(200)
      ).body;

    it('sums the purchase events of the linked user ids, else shows the entered value; merges carry the links', async () => {
      t.clock.set(new Date('2026-03-20T04:00:00Z'));
      const buyer = await createCustomer({
        displayName: 'Buyer',
        lifetimeValueFen: 5_000,
        contactPoints: [
          { kind: 'analytics', value: 'u-1' },
          { kind: 'analytics', value: 'u-2' },
        ],
      });
      // Linked, but nothing bought yet: the entered value.
      expect(buyer).toMatchObject({ lifetimeValueFen: 5_000, lifetimeValueSource: 'entered' });
      const second = await createCustomer({
        displayName: 'Buyer (second account)',
        lifetimeValueFen: 700,
        contactPoints: [{ kind: 'analytics', value: 'u-3' }],
      });
      const unlinked = await createCustomer({ displayName: 'Walk-in', lifetimeValueFen: 1_200 });

      const events: Tracked[] = [
        { type: 'purchase', userId: 'u-1', amount: 12_990 },
        { type: 'purchase', userId: 'u-1', amount: 1_010 },
        { type: 'purchase', userId: 'u-2', amount: 3_000 },
        { type: 'conversion', userId: 'u-1', amount: 999 },
        { type: 'page_view', userId: 'u-2' },
        { type: 'purchase', userId: 'u-3', amount: 7_000 },
        { type: 'purchase', userId: 'u-9', amount: 40_000 },
      ];
      await ingest(org, owner, events);
      // The same user id buying in another organization counts there, not here.
      await ingest(other, otherOwner, [{ type: 'purchase', userId: 'u-1', amount: 99_999 }]);

      const own = expected(events, ['u-1', 'u-2']);
      expect(await getCustomer(buyer.id)).toMatchObject({
        lifetimeValueFen: own.fen,
        lifetimeValueSource: 'analytics',
        enteredLifetimeValueFen: 5_000,
        analyticsPurchases: own.count,
      });
      const list = await t.http().get(api('/customers')).query({ limit: 100 }).set(a1.auth).expect(200);
      const byId = new Map(list.body.items.map((c: { id: string }) => [c.id, c]));
      expect(byId.get(buyer.id)).toMatchObject({
        lifetimeValueFen: own.fen,
        lifetimeValueSource: 'analytics',
      });
      expect(byId.get(second.id)).toMatchObject({
        lifetimeValueFen: expected(events, ['u-3']).fen,
        lifetimeValueSource: 'analytics',
      });
      expect(byId.get(unlinked.id)).toMatchObject({
        lifetimeValueFen: 1_200,
        lifetimeValueSource: 'entered',
        analyticsPurchases: 0,
      });

      // Merging moves the second profile's analytics id, so its purchases count on the target; entered
      // values add up as before.
      const merged = await t
        .http()
        .post(api(`/customers/${buyer.id}/merge`))
        .set(a1.auth)
        .send({ sourceId: second.id })
        .expect(200);
      const all = expected(events, ['u-1', 'u-2', 'u-3']);
      expect(merged.body).toMatchObject({
        lifetimeValueFen: all.fen,
        lifetimeValueSource: 'analytics',
        enteredLifetimeValueFen: 5_700,
        analyticsPurchases: all.count,
      });

      // Linking the unlinked profile to an id that bought elsewhere in the org switches its source.
      const linked = await t
        .http()
        .post(api(`/customers/${unlinked.id}/contact-points`))
        .set(a1.auth)
        .send({ kind: 'analytics', value: 'u-9' })
        .expect(201);
      expect(linked.status).toBe(201);
      expect(await getCustomer(unlinked.id)).toMatchObject({
        lifetimeValueFen: expected(events, ['u-9']).fen,
        lifetimeValueSource: 'analytics',
        enteredLifetimeValueFen: 1_200,
      });
    });

    it('an analytics id belongs to one profile (409), must be a valid id (400), and stays in its tenant (404)', async () => {
      const first = await createCustomer({
        displayName: 'Holder',
        contactPoints: [{ kind: 'analytics', value: 'u-unique' }],
      });
      const clash = await t
        .http()
        .post(api('/customers'))
        .set(a1.auth)
        .send({
          kind: 'person',
          displayName: 'Clash',
          contactPoints: [{ kind: 'analytics', value: 'u-unique' }],
        });
      problem(clash, 409);
      expect(clash.body.errors[0].field).toBe('contactPoints[0].value');
      const tooLong = await t
        .http()
        .post(api('/customers'))
        .set(a1.auth)
        .send({
          kind: 'person',
          displayName: 'Long',
          contactPoints: [{ kind: 'analytics', value: 'x'.repeat(129) }],
        });
      problem(tooLong, 400);
      expect(tooLong.body.errors[0].field).toBe('contactPoints[0].value');
      problem(
        await t
          .http()
          .get(api(`/customers/${first.id}`, other))
          .set(otherOwner.auth),
        404,
      );
      problem(
        await t
          .http()
          .get(api(`/customers/${first.id}`))
          .set(agentB.auth),
        404,
      );
      problem(
        await t
          .http()
          .get(api(`/customers/${first.id}`))
          .set(manager.auth),
        403,
      );
    });
  });
});
