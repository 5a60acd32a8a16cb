import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { SlaBreachSweep } from '../src/modules/ticket-slas/sla-breach-sweep';
import { TicketSecrets } from '../src/modules/tickets/ticket-secrets';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const at = (local: string) => new Date(`${local}+08:00`);

/**
 * SLAs on tickets end to end. The organization runs on the mainland calendar it copies (Mon–Fri
 * 09:00–12:00 and 13:30–18:00 Asia/Shanghai, 450 working minutes a day, holidays and make-up days) with
 * the guide's policies: consultations 24 wall-clock hours to a first response, complaints 900 working
 * minutes (2 working days) to resolution, warnings 120 minutes ahead. Due times below are worked out by
 * hand in the comments.
 */
describe('ticket SLAs', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let supervisor: TestUser;
  let rootSupervisor: TestUser;
  let manager: TestUser;
  let a1: TestUser;
  let agentB: TestUser;
  let otherOwner: TestUser;

  const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
  const open = async (user: TestUser, when: Date, body: Record<string, unknown>) => {
    t.clock.set(when);
    const res = await t
      .http()
      .post(api('/tickets'))
      .set(user.auth)
      .send({ channel: 'phone', subject: 'Help', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; unitId: string };
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
  const sla = async (user: TestUser, id: string) => {
    const res = await t
      .http()
      .get(api(`/tickets/${id}/sla`))
      .set(user.auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  const target = (body: { targets: { target: string }[] }, name: string) =>
    body.targets.find((x) => x.target === name) as Record<string, unknown>;
  const notificationsOf = async (
    userId: string,
    type: string,
  ): Promise<{ data: { tickets: { ticketId: string }[] } }[]> => {
    await t.get(OutboxService).drain();
    return t.db.query(`SELECT data FROM notifications WHERE user_id = $1 AND type = $2 ORDER BY created_at`, [
      userId,
      type,
    ]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Co' });
    await provisionServiceLevels(t.db, org.id);
    await provisionServiceLevels(t.db, other.id);
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [supervisor, rootSupervisor, manager, a1, agentB, otherOwner] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, org, supervisor.id, {
      unitId: teamA,
      grants: [{ role: 'service_supervisor', unitId: teamA, scope: 'subtree' }],
    });
    // Supervises the root unit itself only: the next unit up for Team B, which has no supervisor.
    await insertMember(t, org, rootSupervisor.id, {
      grants: [{ role: 'service_supervisor', unitId: org.rootUnitId, scope: 'unit' }],
    });
    await insertMember(t, org, manager.id, { grants: [{ permission: 'service:manage', scope: 'org' }] });
    await insertMember(t, org, a1.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
    });
    await insertMember(t, org, agentB.id, {
      unitId: teamB,
      grants: [{ role: 'service_agent', unitId: teamB, scope: 'unit' }],
    });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
    // After-sales: a working-time first response, next response and resolution, warned 30 minutes ahead.
    const policy = await t
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
        reassignOnBreach: true,
      });
    expect(policy.status).toBe(201);
    expect(policy.body.reassignOnBreach).toBe(true);
  });
  afterAll(() => t.close());

  describe('due times on a created ticket', () => {
    it('a complaint of a Friday afternoon runs over the weekend', async () => {
      // Fri 03-13 16:00: 120 that day, Mon 03-16 450, Tue 03-17 09:00–12:00 180 + 13:30–16:00 150 = 900.
      const ticket = await open(a1, at('2026-03-13T16:00:00'), { type: 'complaint' });
      t.clock.set(at('2026-03-16T10:00:00'));
      const body = await sla(a1, ticket.id);
      expect(body).toMatchObject({
        ticketId: ticket.id,
        policyName: 'Complaints: reply with the result within 2 working days',
        startedAt: '2026-03-13T08:00:00.000Z',
        paused: false,
        firstResponseDueAt: null,
        nextResponseDueAt: null,
        resolutionDueAt: '2026-03-17T08:00:00.000Z',
        // Used by Mon 10:00: 120 on Friday + 60 on Monday.
        remainingMinutes: { firstResponse: null, nextResponse: null, resolution: 720 },
      });
      expect(body.targets).toEqual([
        {
          target: 'resolution',
          minutes: 900,
          mode: 'working',
          state: 'running',
          dueAt: '2026-03-17T08:00:00.000Z',
          remainingMinutes: 720,
          fulfilledAt: null,
          warnedAt: null,
          breachedAt: null,
        },
      ]);
      expect(body.events.map((e: { kind: string }) => e.kind)).toEqual(['applied']);
      expect(body.events[0]).toMatchObject({ at: '2026-03-13T08:00:00.000Z', target: null });
    });

    it('an after-sales ticket across the lunch break', async () => {
      // Tue 03-10 11:00: 60 until 12:00, lunch, 13:30 + 60 = 14:30 for the first response (120);
      // resolution 480: 60 + 270 (13:30–18:00) = 330 on Tuesday, Wed 09:00 + 150 = 11:30.
      const ticket = await open(a1, at('2026-03-10T11:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'repair',
      });
      t.clock.set(at('2026-03-10T13:45:00'));
      const body = await sla(a1, ticket.id);
      expect(body).toMatchObject({
        policyName: 'After-sales',
        firstResponseDueAt: '2026-03-10T06:30:00.000Z',
        nextResponseDueAt: null,
        resolutionDueAt: '2026-03-11T03:30:00.000Z',
        // At 13:45: 60 + 15 used.
        remainingMinutes: { firstResponse: 45, nextResponse: null, resolution: 405 },
      });
      expect(target(body, 'next_response')).toMatchObject({ state: 'stopped', dueAt: null });
    });

    it('a complaint across the make-up Saturday 2026-02-14 and the Spring Festival', async () => {
      // Fri 02-13 16:00: 120, Sat 02-14 (make-up working day) 450, closed 02-15…02-23, Tue 02-24 180 + 150.
      const ticket = await open(a1, at('2026-02-13T16:00:00'), { type: 'complaint' });
      t.clock.set(at('2026-02-14T12:00:00'));
      const body = await sla(a1, ticket.id);
      expect(body.resolutionDueAt).toBe('2026-02-24T08:00:00.000Z');
      // By Sat 12:00: 120 + 180 used.
      expect(body.remainingMinutes.resolution).toBe(600);
    });

    it('a consultation gets 24 wall-clock hours to its first response', async () => {
      const ticket = await open(a1, at('2026-03-13T16:00:00'), { type: 'consultation' });
      t.clock.set(at('2026-03-14T10:00:00'));
      const body = await sla(a1, ticket.id);
      expect(body).toMatchObject({
        firstResponseDueAt: '2026-03-14T08:00:00.000Z',
        resolutionDueAt: null,
        remainingMinutes: { firstResponse: 360, nextResponse: null, resolution: null },
      });
    });
  });

  describe('the clock', () => {
    it('pauses while waiting on the customer and resumes, shifting the due time by the paused working minutes', async () => {
      // Tue 03-10 09:00 + 900 = Wed 03-11 18:00.
      const ticket = await open(a1, at('2026-03-10T09:00:00'), { type: 'complaint' });
      expect((await sla(a1, ticket.id)).resolutionDueAt).toBe('2026-03-11T10:00:00.000Z');
      await act(a1, ticket.id, 'wait-for-customer', at('2026-03-10T10:00:00'));
      t.clock.set(at('2026-03-10T13:00:00'));
      const paused = await sla(a1, ticket.id);
      expect(paused).toMatchObject({ paused: true, resolutionDueAt: null });
      expect(target(paused, 'resolution')).toMatchObject({ state: 'paused', remainingMinutes: 840 });
      // Paused 10:00–14:00: 120 + 30 working minutes, so the due time moves to Thu 09:00 + 150 = 11:30.
      await act(a1, ticket.id, 'open', at('2026-03-10T14:00:00'));
      const resumed = await sla(a1, ticket.id);
      expect(resumed).toMatchObject({
        paused: false,
        resolutionDueAt: '2026-03-12T03:30:00.000Z',
        remainingMinutes: { resolution: 840 },
      });
      expect(resumed.events.map((e: { kind: string }) => e.kind)).toEqual(['applied', 'paused', 'resumed']);
      expect(resumed.events[2]).toMatchObject({
        at: '2026-03-10T06:00:00.000Z',
        data: { pausedMinutes: 240, dueAt: { resolution: '2026-03-12T03:30:00.000Z' } },
      });
    });

    it('a priority change re-resolves the policy and recomputes from the original start', async () => {
      const urgent = await t
        .http()
        .post(api('/sla-policies'))
        .set(manager.auth)
        .send({
          name: 'Urgent complaints',
          conditions: { ticketTypes: ['complaint'], priorities: ['urgent'] },
          resolution: { minutes: 240, mode: 'working' },
        });
      expect(urgent.status).toBe(201);
      const others: { id: string }[] = await t.db.query(
        `SELECT id FROM sla_policies WHERE org_id = $1 AND id <> $2 ORDER BY position`,
        [org.id, urgent.body.id],
      );
      const ids = others.map((p) => p.id);
      await t
        .http()
        .post(api('/sla-policies/reorder'))
        .set(manager.auth)
        .send({ policyIds: [urgent.body.id, ...ids] })
        .expect(200);
      const ticket = await open(a1, at('2026-03-10T09:00:00'), { type: 'complaint' });
      const got = await t
        .http()
        .get(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .expect(200);
      t.clock.set(at('2026-03-10T10:00:00'));
      await t
        .http()
        .patch(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .set('If-Match', got.headers.etag)
        .send({ priority: 'urgent' })
        .expect(200);
      // 240 working minutes from the original 09:00 start: 180 to 12:00, 13:30 + 60 = 14:30.
      const body = await sla(a1, ticket.id);
      expect(body).toMatchObject({
        policyId: urgent.body.id,
        startedAt: '2026-03-10T01:00:00.000Z',
        resolutionDueAt: '2026-03-10T06:30:00.000Z',
        remainingMinutes: { resolution: 180 },
      });
      const recomputed = body.events.find((e: { kind: string }) => e.kind === 'recomputed');
      expect(recomputed).toMatchObject({
        at: '2026-03-10T02:00:00.000Z',
        data: {
          priority: 'urgent',
          policyId: urgent.body.id,
          dueAt: { resolution: '2026-03-10T06:30:00.000Z' },
        },
      });
      await t
        .http()
        .delete(api(`/sla-policies/${urgent.body.id}`))
        .set(manager.auth)
        .expect(204);
    });

    it('the first public reply fulfils the first response; resolving fulfils the resolution', async () => {
      const ticket = await open(a1, at('2026-03-10T11:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'repair',
      });
      await act(a1, ticket.id, 'identity-check', at('2026-03-10T11:10:00'), {
        method: 'order_number',
        reason: 'ORD-9',
      });
      t.clock.set(at('2026-03-10T11:20:00'));
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'internal_note', body: 'n' })
        .expect(201);
      expect(target(await sla(a1, ticket.id), 'first_response').state).toBe('running');
      t.clock.set(at('2026-03-10T11:30:00'));
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'public_reply', body: 'We are on it' })
        .expect(201);
      const replied = await sla(a1, ticket.id);
      expect(target(replied, 'first_response')).toMatchObject({
        state: 'fulfilled',
        fulfilledAt: '2026-03-10T03:30:00.000Z',
        dueAt: '2026-03-10T06:30:00.000Z',
        remainingMinutes: null,
      });
      expect(replied.remainingMinutes.firstResponse).toBeNull();
      await act(a1, ticket.id, 'resolve', at('2026-03-10T15:00:00'));
      const resolved = await sla(a1, ticket.id);
      expect(target(resolved, 'resolution')).toMatchObject({
        state: 'fulfilled',
        fulfilledAt: '2026-03-10T07:00:00.000Z',
      });
      expect(resolved.events.filter((e: { kind: string }) => e.kind === 'fulfilled')).toEqual([
        expect.objectContaining({ target: 'first_response', data: expect.objectContaining({ late: false }) }),
        expect.objectContaining({ target: 'resolution', data: expect.objectContaining({ late: false }) }),
      ]);
      // Reopened Wed 10:00: 150 of the 480 were used (11:00–12:00, 13:30–15:00), the other 330 run
      // again: 10:00–12:00 120, 13:30 + 210 = 17:00.
      await act(a1, ticket.id, 'reopen', at('2026-03-11T10:00:00'));
      const reopened = await sla(a1, ticket.id);
      expect(reopened).toMatchObject({ paused: false, resolutionDueAt: '2026-03-11T09:00:00.000Z' });
      expect(target(reopened, 'resolution')).toMatchObject({
        state: 'running',
        fulfilledAt: null,
        remainingMinutes: 330,
      });
    });
  });

  describe('next response', () => {
    it("runs from the customer's message after the first response and is fulfilled by the next reply", async () => {
      const ticket = await open(a1, at('2026-03-10T09:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'replace',
      });
      await act(a1, ticket.id, 'identity-check', at('2026-03-10T09:05:00'), {
        method: 'order_number',
        reason: 'ORD-10',
      });
      t.clock.set(at('2026-03-10T09:10:00'));
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'public_reply', body: 'Please send a photo' })
        .expect(201);
      await act(a1, ticket.id, 'wait-for-customer', at('2026-03-10T09:15:00'));
      // The customer answers through the signed link at 11:30: next response 60 working minutes,
      // 30 before lunch and 30 after 13:30, so due 14:00.
      t.clock.set(at('2026-03-10T11:30:00'));
      const link = t.get(TicketSecrets).linkFor(ticket.id);
      await t.http().post(`/api/v1/public/tickets/${link}/messages`).send({ body: 'Here it is' }).expect(201);
      const waiting = await sla(a1, ticket.id);
      expect(waiting).toMatchObject({ paused: false, nextResponseDueAt: '2026-03-10T06:00:00.000Z' });
      expect(target(waiting, 'next_response')).toMatchObject({ state: 'running', remainingMinutes: 60 });
      t.clock.set(at('2026-03-10T13:40:00'));
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'public_reply', body: 'A replacement is on its way' })
        .expect(201);
      const answered = await sla(a1, ticket.id);
      expect(answered.nextResponseDueAt).toBeNull();
      // The round answered shows as fulfilled, with the due time it had, until the customer writes again.
      expect(target(answered, 'next_response')).toMatchObject({
        state: 'fulfilled',
        fulfilledAt: '2026-03-10T05:40:00.000Z',
        dueAt: '2026-03-10T06:00:00.000Z',
      });
      const fulfilled = answered.events.filter((e: { kind: string }) => e.kind === 'fulfilled');
      expect(fulfilled.map((e: { target: string }) => e.target)).toEqual(['first_response', 'next_response']);
      expect(fulfilled[1]).toMatchObject({ at: '2026-03-10T05:40:00.000Z', data: { late: false } });
    });
  });

  describe('warnings and escalation', () => {
    it('warns the assignee once, warnBeforeMinutes before the due time', async () => {
      // Due Tue 03-17 16:00 (as the Friday complaint above); the guide policy warns 120 minutes ahead.
      const ticket = await open(a1, at('2026-03-13T16:00:00'), { type: 'complaint', assigneeId: undefined });
      await act(a1, ticket.id, 'claim', at('2026-03-13T16:05:00'));
      const sweep = t.get(SlaBreachSweep);
      t.clock.set(at('2026-03-17T13:30:00'));
      await sweep.sweep();
      expect(target(await sla(a1, ticket.id), 'resolution').warnedAt).toBeNull();
      t.clock.set(at('2026-03-17T14:30:00'));
      await sweep.sweep();
      t.clock.set(at('2026-03-17T14:45:00'));
      await sweep.sweep();
      const body = await sla(a1, ticket.id);
      expect(target(body, 'resolution')).toMatchObject({
        warnedAt: '2026-03-17T06:30:00.000Z',
        state: 'running',
      });
      expect(body.events.filter((e: { kind: string }) => e.kind === 'warned')).toHaveLength(1);
      const mine = (await notificationsOf(a1.id, 'tickets.sla.warning')).filter((n) =>
        n.data.tickets.some((x) => x.ticketId === ticket.id),
      );
      expect(mine).toHaveLength(1);
    });

    it('two app instances sweeping at once escalate each breached ticket exactly once and notify the supervisors', async () => {
      const second = await createTestApp({ databaseUrl: t.databaseUrl });
      try {
        const created: string[] = [];
        for (let i = 0; i < 12; i++) {
          const ticket = await open(a1, at('2026-04-01T09:00:00'), {
            type: 'complaint',
            subject: `Breach ${i}`,
          });
          created.push(ticket.id);
        }
        const inB = await open(agentB, at('2026-04-01T09:00:00'), { type: 'complaint', subject: 'Team B' });
        // One of Team A's waits on the customer: its clock is stopped, so it cannot breach.
        await act(a1, created[11], 'wait-for-customer', at('2026-04-01T10:00:00'));
        // 900 from Wed 04-01 09:00 is Thu 04-02 18:00; the sweeps run on Fri 04-03 10:00.
        const now = at('2026-04-03T10:00:00');
        t.clock.set(now);
        second.clock.set(now);
        const [r1, r2] = await Promise.all([
          t.get(SlaBreachSweep).sweep(),
          second.get(SlaBreachSweep).sweep(),
        ]);
        const ids = [...created.slice(0, 11), inB.id];
        const counts: {
          ticket_id: string;
          breached: number;
          escalated: number;
          moves: number;
          state: string;
        }[] = await t.db.query(
          `SELECT tk.id AS ticket_id, tk.state,
                    (SELECT count(*)::int FROM ticket_sla_events e WHERE e.ticket_id = tk.id AND e.kind = 'breached') AS breached,
                    (SELECT count(*)::int FROM ticket_sla_events e WHERE e.ticket_id = tk.id AND e.kind = 'escalated') AS escalated,
                    (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = tk.id AND e.action = 'escalate'
                        AND e.actor_kind = 'system') AS moves
               FROM tickets tk WHERE tk.id = ANY($1::uuid[])`,
          [[...ids, created[11]]],
        );
        for (const row of counts) {
          if (row.ticket_id === created[11]) {
            expect(row).toMatchObject({ breached: 0, escalated: 0, moves: 0, state: 'pending_customer' });
          } else {
            expect(row).toMatchObject({ breached: 1, escalated: 1, moves: 1, state: 'escalated' });
          }
        }
        expect(r1.escalated + r2.escalated).toBeGreaterThanOrEqual(12);
        const body = await sla(a1, created[0]);
        expect(target(body, 'resolution')).toMatchObject({
          state: 'breached',
          breachedAt: '2026-04-03T02:00:00.000Z',
          remainingMinutes: -60,
        });
        // A third sweep finds nothing left to escalate among them.
        await t.get(SlaBreachSweep).sweep();
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM ticket_sla_events WHERE ticket_id = ANY($1::uuid[]) AND kind = 'breached'`,
          [ids],
        );
        expect(n).toBe(12);
        // Team A's supervisor hears of Team A's breaches once each; Team B has none, so the root's does.
        const toSupervisor = (await notificationsOf(supervisor.id, 'tickets.sla.breached')).flatMap((x) =>
          x.data.tickets.map((y) => y.ticketId),
        );
        for (const id of created.slice(0, 11)) expect(toSupervisor.filter((x) => x === id)).toHaveLength(1);
        expect(toSupervisor).not.toContain(inB.id);
        const toRoot = (await notificationsOf(rootSupervisor.id, 'tickets.sla.breached')).flatMap((x) =>
          x.data.tickets.map((y) => y.ticketId),
        );
        expect(toRoot.filter((x) => x === inB.id)).toHaveLength(1);
        expect(toRoot).not.toContain(created[0]);
        // The move is the tickets module's: in the ticket's history, by the system, with its reason.
        const history = await t
          .http()
          .get(api(`/tickets/${created[0]}`))
          .set(a1.auth)
          .expect(200);
        expect(history.body.state).toBe('escalated');
      } finally {
        await second.close();
      }
    });
  });

  describe('reassignment on breach', () => {
    it('hands the ticket to a supervisor of its unit when the policy says so', async () => {
      // After-sales resolution 480 from Mon 05-11 09:00 is Mon 18:00 (first response 120: 11:00).
      const ticket = await open(a1, at('2026-05-11T09:00:00'), {
        type: 'after_sales',
        afterSalesKind: 'parts',
      });
      await act(a1, ticket.id, 'claim', at('2026-05-11T09:01:00'));
      const complaint = await open(a1, at('2026-05-11T09:00:00'), { type: 'complaint' });
      await act(a1, complaint.id, 'claim', at('2026-05-11T09:01:00'));
      t.clock.set(at('2026-05-14T09:00:00'));
      await t.get(SlaBreachSweep).sweep();
      const moved = await t
        .http()
        .get(api(`/tickets/${ticket.id}`))
        .set(supervisor.auth)
        .expect(200);
      expect(moved.body).toMatchObject({ state: 'escalated', assigneeId: supervisor.id });
      const [event] = await t.db.query(
        `SELECT actor_kind, reason, data FROM ticket_events WHERE ticket_id = $1 AND action = 'escalate'`,
        [ticket.id],
      );
      expect(event).toMatchObject({
        actor_kind: 'system',
        reason: 'SLA breached',
        data: { fromAssigneeId: a1.id, assigneeId: supervisor.id },
      });
      // The guide's complaint policy does not reassign: the agent keeps it.
      const kept = await t
        .http()
        .get(api(`/tickets/${complaint.id}`))
        .set(a1.auth)
        .expect(200);
      expect(kept.body).toMatchObject({ state: 'escalated', assigneeId: a1.id });
    });
  });

  describe('a ticket escalated by hand', () => {
    it('still records and reports its breach, without a second move', async () => {
      const ticket = await open(a1, at('2026-06-01T09:00:00'), { type: 'complaint', subject: 'By hand' });
      await act(a1, ticket.id, 'escalate', at('2026-06-01T10:00:00'), { reason: 'Needs a manager' });
      t.clock.set(at('2026-06-04T09:00:00'));
      await t.get(SlaBreachSweep).sweep();
      const body = await sla(a1, ticket.id);
      expect(body.events.map((e: { kind: string }) => e.kind)).toEqual(['applied', 'breached']);
      const moves = await t.db.query(
        `SELECT actor_kind FROM ticket_events WHERE ticket_id = $1 AND action = 'escalate'`,
        [ticket.id],
      );
      expect(moves).toEqual([{ actor_kind: 'user' }]);
      const told = (await notificationsOf(supervisor.id, 'tickets.sla.breached')).flatMap((x) =>
        x.data.tickets.map((y) => y.ticketId),
      );
      expect(told.filter((x) => x === ticket.id)).toHaveLength(1);
    });
  });

  describe('access', () => {
    let ticketId: string;
    beforeAll(async () => {
      ticketId = (await open(a1, at('2026-03-10T09:00:00'), { type: 'complaint' })).id;
    });

    it("another tenant's caller gets 404", async () => {
      await t.http().get(`/api/v1/orgs/${other.id}/tickets/${ticketId}/sla`).set(otherOwner.auth).expect(404);
    });

    it('an agent of another unit gets 404; the supervisor over the unit reads it', async () => {
      const res = await t
        .http()
        .get(api(`/tickets/${ticketId}/sla`))
        .set(agentB.auth);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      await t
        .http()
        .get(api(`/tickets/${ticketId}/sla`))
        .set(supervisor.auth)
        .expect(200);
    });

    it('a member without tickets:read gets 403', async () => {
      const res = await t
        .http()
        .get(api(`/tickets/${ticketId}/sla`))
        .set(manager.auth);
      expect(res.status).toBe(403);
    });

    it('a malformed ticket id is 400', async () => {
      const res = await t.http().get(api('/tickets/not-a-uuid/sla')).set(a1.auth);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('ticketId');
    });
  });
});
